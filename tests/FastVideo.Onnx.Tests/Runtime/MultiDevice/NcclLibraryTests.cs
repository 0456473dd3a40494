using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Runtime.Execution.MultiDevice;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Runtime.MultiDevice;

/// <summary>The NCCL binding where NCCL is absent (its calls are checked on two GPUs by the GPU tests).</summary>
public class NcclLibraryTests
{
    [Test]
    public void MissingLibraryIsAOneLineErrorNamingThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), "no-such-dir", "libnccl.so.2");
        var e = Assert.Throws<FastVideoException>(() => NcclLibrary.Load(path))!;
        Assert.That(e.Message, Is.EqualTo($"NCCL: {path} could not be loaded (missing, or not a shared library for this machine)"));
    }

    [Test]
    public void NotALibraryIsAOneLineError()
    {
        string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "not-nccl.so");
        File.WriteAllText(path, "not a shared library");
        try
        {
            var e = Assert.Throws<FastVideoException>(() => NcclLibrary.Load(path))!;
            Assert.That(e.Message, Does.StartWith($"NCCL: {path} could not be loaded").And.Not.Contains("\n"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void LoaderPathSearchSaysWhatWasTried()
    {
        if (Environment.GetEnvironmentVariable(NcclLibrary.PathVariable) is { Length: > 0 }) Assert.Ignore($"{NcclLibrary.PathVariable} is set here");
        FastVideoException? e = null;
        try
        {
            NcclLibrary.Load();
        }
        catch (FastVideoException error)
        {
            e = error;
        }
        if (e is null) Assert.Ignore("NCCL is installed here: the not-found message cannot be seen");
        Assert.That(e!.Message, Does.Contain("libnccl.so.2, libnccl.so").And.Contain(NcclLibrary.PathVariable).And.Not.Contains("\n"));
    }

    /// <summary>NVLink multicast stays off for NCCL (it can take a shared host's GPUs out of service), unless the user chose.</summary>
    [Test, Platform("Linux")]
    public void MulticastIsTurnedOffInTheNativeEnvironmentUnlessSet()
    {
        string? before = NativeEnvironment.Get(NcclLibrary.MulticastVariable);
        try
        {
            NativeEnvironment.SetEnv(NcclLibrary.MulticastVariable, "1", 1);
            NcclLibrary.KeepMulticastOff();
            Assert.That(NativeEnvironment.Get(NcclLibrary.MulticastVariable), Is.EqualTo("1"), "a value the user set is kept");

            Assert.That(UnsetEnv(NcclLibrary.MulticastVariable), Is.Zero);
            NcclLibrary.KeepMulticastOff();
            Assert.That(NativeEnvironment.Get(NcclLibrary.MulticastVariable), Is.EqualTo("0"));
        }
        finally
        {
            if (before is null) UnsetEnv(NcclLibrary.MulticastVariable);
            else NativeEnvironment.SetEnv(NcclLibrary.MulticastVariable, before, 1);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "unsetenv")]
    static extern int UnsetEnv(string name);
}
