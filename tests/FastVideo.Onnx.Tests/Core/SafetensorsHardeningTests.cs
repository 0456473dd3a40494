using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Safetensors;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Core;

/// <summary>Safetensors headers are untrusted: every malformation is a one-line <see cref="ModelFormatException"/> naming the file (and the tensor).</summary>
public class SafetensorsHardeningTests
{
    static ModelFormatException Refused(string path)
    {
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path).Dispose())!;
        Assert.That(e.Message, Does.StartWith(path + ": "));
        HostileFiles.AssertOneLine(e.Message);
        return e;
    }

    static string Tensor(string name, string dtype, string shape, string offsets) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    [Test]
    public void InvalidUtf8InTheHeader()
    {
        using var dir = Repo.Temp();
        var header = System.Text.Encoding.ASCII.GetBytes("{" + Tensor("ab", "F32", "[1]", "[0,4]") + "}");
        header[2] = 0xFF; // the first byte of the tensor's name
        string path = HostileFiles.Safetensors(dir["w.safetensors"], header, 4);
        Assert.That(Refused(path).Message, Does.Contain("not valid UTF-8"));
    }

    [Test]
    public void LoneSurrogateEscapeInATensorName()
    {
        // Found by the fuzzer: valid UTF-8, but the escape spells no Unicode text, and reading the name threw.
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{" + Tensor("\\ud800a", "F32", "[1]", "[0,4]") + "}", 4);
        Assert.That(Refused(path).Message, Does.Contain("not valid Unicode"));
    }

    [Test]
    public void LoneSurrogateEscapeInAMetadataValue()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{\"__metadata__\":{\"format\":\"\\udc00\"}," + Tensor("a", "F32", "[1]", "[0,4]") + "}", 4);
        Assert.That(Refused(path).Message, Does.Contain("__metadata__.format").And.Contain("not valid Unicode"));
    }

    [TestCase("[4611686018427387952]", "[0,192]", TestName = "ShapeWhoseByteSizeWrapsToTheOffsets")] // (2^62 + 48) * 4 = 2^64 + 192
    [TestCase("[4294967296,4294967296]", "[0,0]", TestName = "ShapeWhoseElementCountWrapsToZero")]
    [TestCase("[3037000500,3037000500,2]", "[0,8]", TestName = "ShapeWhoseProductOverflows")]
    public void ShapeOverflow(string shape, string offsets)
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{" + Tensor("big", "F32", shape, offsets) + "}", 192);
        Assert.That(Refused(path).Message, Does.Contain("tensor 'big'").And.Contain("overflows 64 bits"));
    }

    [TestCase("[-1]", TestName = "NegativeDimension")]
    [TestCase("[2.5]", TestName = "FractionalDimension")]
    [TestCase("[\"2\"]", TestName = "DimensionWrittenAsAString")]
    [TestCase("[1e3]", TestName = "DimensionInExponentForm")]
    [TestCase("[null]", TestName = "NullDimension")]
    public void InvalidDimension(string shape)
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{" + Tensor("t", "F32", shape, "[0,4]") + "}", 4);
        Assert.That(Refused(path).Message, Does.Contain("tensor 't'").And.Contain("invalid shape"));
    }

    [TestCase("[8,4]", "end before they begin", TestName = "OffsetsEndBeforeTheyBegin")]
    [TestCase("[0,16]", "out of range", TestName = "OffsetsPastTheDataSection")]
    [TestCase("[-4,0]", "invalid data_offsets", TestName = "NegativeOffset")]
    [TestCase("[0,9223372036854775808]", "invalid data_offsets", TestName = "OffsetPastInt64")]
    [TestCase("[0]", "data_offsets [begin, end]", TestName = "OneOffset")]
    [TestCase("[0,4,8]", "data_offsets [begin, end]", TestName = "ThreeOffsets")]
    public void InvalidOffsets(string offsets, string problem)
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{" + Tensor("t", "F32", "[1]", offsets) + "}", 8);
        Assert.That(Refused(path).Message, Does.Contain("tensor 't'").And.Contain(problem));
    }

    [Test]
    public void ByteLengthMustEqualElementsTimesDtypeSize()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{" + Tensor("t", "BF16", "[3]", "[0,8]") + "}", 8);
        Assert.That(Refused(path).Message, Does.Contain("tensor 't'").And.Contain("needs 6 bytes").And.Contain("span 8"));
    }

    [Test]
    public void TensorsSharingBytesAreRefused()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{" + Tensor("a", "F32", "[2]", "[0,8]") + "," + Tensor("b", "F32", "[1]", "[4,8]") + "}", 8);
        Assert.That(Refused(path).Message, Does.Contain("'a' and 'b' overlap"));
    }

    [Test]
    public void EmptyTensorsMayShareAnOffset()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{" + Tensor("a", "F32", "[0]", "[0,0]") + "," + Tensor("b", "F32", "[1]", "[0,4]") + "}", 4);
        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Tensors["a"].ElementCount, Is.EqualTo(0));
        Assert.That(file.ReadSingle(file.Tensors["b"]), Is.EqualTo(new[] { 0f }));
    }

    [Test]
    public void UnknownDtypeIsNamed()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{" + Tensor("t", "F8_E4M3\\n", "[1]", "[0,1]") + "}", 1);
        Assert.That(Refused(path).Message, Does.Contain("tensor 't'").And.Contain("unsupported dtype 'F8_E4M3\\n'"));
    }

    [Test]
    public void DuplicateTensorNamesAreNamed()
    {
        // Before: the second entry silently replaced the first.
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{" + Tensor("w", "F32", "[1]", "[0,4]") + "," + Tensor("w", "F32", "[1]", "[4,8]") + "}", 8);
        Assert.That(Refused(path).Message, Does.Contain("'w'").And.Contain("twice").Or.Contain("Duplicate"));
    }

    [TestCase("[\"format\",\"pt\"]", "must be an object of strings, not an array", TestName = "MetadataThatIsAnArray")]
    [TestCase("\"pt\"", "must be an object of strings, not a string", TestName = "MetadataThatIsAString")]
    [TestCase("{\"format\":1}", "entry 'format' must be a string, not a number", TestName = "MetadataWithANumber")]
    [TestCase("{\"format\":{\"a\":\"b\"}}", "entry 'format' must be a string, not an object", TestName = "MetadataWithAnObject")]
    public void MetadataOfTheWrongType(string metadata, string problem)
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{\"__metadata__\":" + metadata + "," + Tensor("a", "F32", "[1]", "[0,4]") + "}", 4);
        Assert.That(Refused(path).Message, Does.Contain("__metadata__").And.Contain(problem));
    }

    [Test]
    public void AbsurdHeaderLengthIsRefusedBeforeAllocating()
    {
        // A sparse 1 GiB file whose length field claims a 900 MiB header: refused from the number alone.
        using var dir = Repo.Temp();
        string path = dir["huge.safetensors"];
        using (var fs = new FileStream(path, FileMode.Create))
        {
            fs.Write(BitConverter.GetBytes(900UL << 20));
            fs.SetLength(1L << 30);
        }
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Assert.That(Refused(path).Message, Does.Contain("implausibly large"));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - before, Is.LessThan(16L << 20));
    }

    [TestCase(0UL, TestName = "HeaderLengthZero")]
    [TestCase(ulong.MaxValue, TestName = "HeaderLengthAllOnes")]
    public void HeaderLengthOutOfRange(ulong length)
    {
        using var dir = Repo.Temp();
        string path = dir["w.safetensors"];
        File.WriteAllBytes(path, BitConverter.GetBytes(length).Concat(new byte[16]).ToArray());
        Assert.That(Refused(path).Message, Does.Contain("header length"));
    }

    [Test]
    public void HeaderThatIsNotAnObject()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "[1,2]   ", 0);
        Assert.That(Refused(path).Message, Does.Contain("not a JSON object"));
    }

    [Test]
    public void JsonErrorQuotingACarriageReturnStaysOnOneLine()
    {
        // Found by the fuzzer: System.Text.Json quotes the offending input in its message, control characters included.
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{\"a\":fa\r\"b\"}", 0);
        Assert.That(Refused(path).Message, Does.Contain("not valid JSON").And.Contain("\\r"));
    }

    [Test]
    public void DeeplyNestedHeader()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Safetensors(dir["w.safetensors"], "{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}", 0);
        Assert.That(Refused(path).Message, Does.Contain("not valid JSON").And.Contain("depth"));
    }

    [Test]
    public void NamedPipeIsRefusedWithoutBlocking()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Fifo(dir["pipe.safetensors"]);
        var e = HostileFiles.FailsWithoutBlocking<ModelFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.That(e.Message, Does.StartWith(path).And.Contain("named pipe"));
    }

    [Test]
    public void CharacterDeviceIsRefused()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("/dev/zero is a Linux device here");
        var e = HostileFiles.FailsWithoutBlocking<ModelFormatException>(() => SafetensorsFile.Open("/dev/zero").Dispose());
        Assert.That(e.Message, Does.StartWith("/dev/zero").And.Contain("character device"));
    }

    [Test]
    public void DirectoryIsRefused()
    {
        using var dir = Repo.Temp();
        Directory.CreateDirectory(dir["w.safetensors"]);
        Assert.That(Refused(dir["w.safetensors"]).Message, Does.Contain("is a directory"));
    }

    [Test]
    public void ShardIndexThatIsANamedPipe()
    {
        using var dir = Repo.Temp();
        string folder = dir["sharded"];
        Directory.CreateDirectory(folder);
        string index = HostileFiles.Fifo(Path.Combine(folder, "model.safetensors.index.json"));
        var e = HostileFiles.FailsWithoutBlocking<ModelFormatException>(() => WeightArchive.Open(folder).Dispose());
        Assert.That(e.Message, Does.StartWith(index).And.Contain("named pipe"));
    }

    [TestCase("\"/etc/passwd\"", TestName = "ShardWithAnAbsolutePath")]
    [TestCase("\"..\"", TestName = "ShardNamedDotDot")]
    [TestCase("\"\"", TestName = "ShardWithAnEmptyName")]
    [TestCase("\"sub/model.safetensors\"", TestName = "ShardInASubfolder")]
    [TestCase("\"C:model.safetensors\"", TestName = "ShardWithADrive")]
    public void ShardIndexNamingAFileOutsideTheFolder(string file)
    {
        using var dir = Repo.Temp();
        string folder = dir["sharded"];
        Directory.CreateDirectory(folder);
        string index = Path.Combine(folder, "model.safetensors.index.json");
        File.WriteAllText(index, "{\"weight_map\": {\"a\": " + file + "}}");
        var e = Assert.Throws<ModelFormatException>(() => WeightArchive.Open(folder).Dispose())!;
        Assert.That(e.Message, Does.StartWith(index).And.Contain("entry 'a' must name a file in the same folder"));
    }

    [TestCase("{\"weight_map\": {\"a\": \"x\", \"a\": \"y\"}}", "Duplicate", TestName = "ShardIndexWithADuplicateName")]
    [TestCase("[1]", "top level", TestName = "ShardIndexThatIsAnArray")]
    [TestCase("{\"weight_map\": {\"a\": \"\\ud800\"}}", "not valid Unicode", TestName = "ShardIndexWithALoneSurrogate")]
    public void MalformedShardIndex(string json, string problem)
    {
        using var dir = Repo.Temp();
        string folder = dir["sharded"];
        Directory.CreateDirectory(folder);
        string index = Path.Combine(folder, "model.safetensors.index.json");
        File.WriteAllText(index, json);
        var e = Assert.Throws<ModelFormatException>(() => WeightArchive.Open(folder).Dispose())!;
        Assert.That(e.Message, Does.StartWith(index).And.Contain(problem));
        HostileFiles.AssertOneLine(e.Message);
    }
}
