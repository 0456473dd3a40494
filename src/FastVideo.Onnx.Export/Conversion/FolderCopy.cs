using System.Runtime.InteropServices;

namespace FastVideo.Onnx.Export.Conversion;

/// <summary>
/// Copies a folder tree by hard-linking its files where the file system allows (the converted components kept when
/// components are added to a folder cost no space or time), copying them otherwise.
/// </summary>
internal static partial class FolderCopy
{
    public static void LinkOrCopy(string source, string target, CancellationToken cancel)
    {
        Directory.CreateDirectory(target);
        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos())
        {
            cancel.ThrowIfCancellationRequested();
            string destination = Path.Combine(target, entry.Name);
            if (entry is DirectoryInfo dir)
            {
                if (dir.LinkTarget is not null)
                    throw new IOException($"{dir.FullName}: a symbolic link inside a converted component; replace the folder with a new, forced conversion");
                LinkOrCopy(dir.FullName, destination, cancel);
            }
            else if (!TryHardLink(entry.FullName, destination)) File.Copy(entry.FullName, destination);
        }
    }

    static bool TryHardLink(string existing, string link)
    {
        try
        {
            if (OperatingSystem.IsWindows()) return CreateHardLinkW(link, existing, IntPtr.Zero);
            return UnixLink(existing, link) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnixLink(string existing, string link);

    [LibraryImport("kernel32", StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CreateHardLinkW(string link, string existing, IntPtr security);
}
