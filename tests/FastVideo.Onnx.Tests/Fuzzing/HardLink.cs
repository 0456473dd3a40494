using System.Runtime.InteropServices;

namespace FastVideo.Onnx.Tests.Fuzzing;

/// <summary>Places an unmutated input file in a case's scratch folder: a hard link where the file system allows it, else a copy.</summary>
public static partial class HardLink
{
    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string created);

    static bool _unavailable = !OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS();

    public static void LinkOrCopy(string existing, string created)
    {
        if (!_unavailable)
        {
            try
            {
                if (Link(existing, created) == 0) return;
            }
            catch (DllNotFoundException)
            {
                _unavailable = true;
            }
            catch (EntryPointNotFoundException)
            {
                _unavailable = true;
            }
        }
        File.Copy(existing, created);
    }
}
