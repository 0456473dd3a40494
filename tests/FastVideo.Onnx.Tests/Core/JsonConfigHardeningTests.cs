using System.Text;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;
using FastVideo.Onnx.Tests.Support;
using NUnit.Framework;

namespace FastVideo.Onnx.Tests.Core;

/// <summary>Config files are untrusted: every hostile document or value is a one-line error naming the file and the field.</summary>
public class JsonConfigHardeningTests
{
    static ModelFormatException LoadFails(string path)
    {
        var e = Assert.Throws<ModelFormatException>(() => JsonConfig.Load(path))!;
        Assert.That(e.Message, Does.StartWith(path + ": "));
        HostileFiles.AssertOneLine(e.Message);
        return e;
    }

    static JsonConfig Config(TempDir dir, string json)
    {
        File.WriteAllText(dir["config.json"], json);
        return JsonConfig.Load(dir["config.json"]);
    }

    static string FieldFails(JsonConfig config, Func<JsonConfig, object?> read)
    {
        var e = Assert.Throws<ModelFormatException>(() => read(config))!;
        Assert.That(e.Message, Does.StartWith(config.Path + ": field '"));
        HostileFiles.AssertOneLine(e.Message);
        return e.Message;
    }

    [Test]
    public void InvalidUtf8IsRefused()
    {
        // Before: File.ReadAllText replaced the bytes with U+FFFD and the config loaded.
        using var dir = Repo.Temp();
        var bytes = Encoding.ASCII.GetBytes("{\"qk_norm\": \"rms?\"}");
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xC3; // a lead byte with no continuation
        File.WriteAllBytes(dir["config.json"], bytes);
        Assert.That(LoadFails(dir["config.json"]).Message, Does.Contain("not valid UTF-8"));
    }

    [Test]
    public void ByteOrderMarkIsAccepted()
    {
        using var dir = Repo.Temp();
        File.WriteAllBytes(dir["config.json"], new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("{\"num_layers\": 2}")).ToArray());
        Assert.That(JsonConfig.Load(dir["config.json"]).GetInt("num_layers"), Is.EqualTo(2));
    }

    [TestCase("{\"a\": 1", "not valid JSON", TestName = "TruncatedDocument")]
    [TestCase("{\"a\": NaN}", "not valid JSON", TestName = "NaNLiteral")]
    [TestCase("{\"a\": Infinity}", "not valid JSON", TestName = "InfinityLiteral")]
    [TestCase("{\"a\": 1, \"a\": 2}", "not valid JSON", TestName = "DuplicateField")]
    [TestCase("{\"a\": \"\\ud800\"}", "'$.a' holds an escape that is not valid Unicode", TestName = "LoneSurrogateInAValue")]
    [TestCase("{\"\\udc00\": 1}", "not valid Unicode", TestName = "LoneSurrogateInAName")]
    [TestCase("[1, 2]", "expected a JSON object at the top level", TestName = "TopLevelArray")]
    [TestCase("", "not valid JSON", TestName = "EmptyFile")]
    [TestCase("{\"a\": \"x\r\ny\" ]", "not valid JSON", TestName = "ErrorQuotingALineBreak")]
    public void MalformedDocument(string json, string problem)
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["config.json"], json);
        Assert.That(LoadFails(dir["config.json"]).Message, Does.Contain(problem));
    }

    [Test]
    public void DeeplyNestedDocument()
    {
        using var dir = Repo.Temp();
        File.WriteAllText(dir["config.json"], "{\"a\": " + new string('[', 100_000) + new string(']', 100_000) + "}");
        Assert.That(LoadFails(dir["config.json"]).Message, Does.Contain("depth"));
    }

    [Test]
    public void NamedPipeIsRefusedWithoutBlocking()
    {
        using var dir = Repo.Temp();
        string path = HostileFiles.Fifo(dir["config.json"]);
        var e = HostileFiles.FailsWithoutBlocking<ModelFormatException>(() => JsonConfig.Load(path));
        Assert.That(e.Message, Does.StartWith(path).And.Contain("named pipe"));
    }

    [Test]
    public void DirectoryIsRefused()
    {
        using var dir = Repo.Temp();
        Directory.CreateDirectory(dir["config.json"]);
        Assert.That(LoadFails(dir["config.json"]).Message, Does.Contain("is a directory"));
    }

    [Test]
    public void NumberTooLargeForADouble()
    {
        // Before: 1e400 parsed as infinity and reached the model as a config value.
        using var dir = Repo.Temp();
        var config = Config(dir, "{\"eps\": 1e400, \"neg\": -1e400, \"list\": [1.0, 1e999]}");
        Assert.That(FieldFails(config, c => c.GetDouble("eps")), Does.Contain("'eps' is out of range: 1e400"));
        Assert.That(FieldFails(config, c => c.GetDouble("neg")), Does.Contain("'neg' is out of range"));
        Assert.That(FieldFails(config, c => c.GetDoubleArray("list")), Does.Contain("'list[1]' is out of range"));
    }

    [TestCase("9223372036854775808", "does not fit a 64-bit integer", TestName = "IntegerPastInt64")]
    [TestCase("-99999999999999999999999", "does not fit a 64-bit integer", TestName = "HugeNegativeInteger")]
    [TestCase("1e19", "does not fit a 64-bit integer", TestName = "IntegerInExponentFormPastInt64")]
    [TestCase("1e400", "must be an integer", TestName = "IntegerThatOverflowsADouble")]
    [TestCase("2.5", "must be an integer, not 2.5", TestName = "FractionWhereAnIntegerIsExpected")]
    [TestCase("\"2\"", "must be an integer", TestName = "StringWhereAnIntegerIsExpected")]
    [TestCase("true", "must be an integer", TestName = "BooleanWhereAnIntegerIsExpected")]
    [TestCase("[2]", "must be an integer", TestName = "ArrayWhereAnIntegerIsExpected")]
    public void HostileLong(string value, string problem)
    {
        using var dir = Repo.Temp();
        var config = Config(dir, "{\"n\": " + value + "}");
        Assert.That(FieldFails(config, c => c.GetLong("n")), Does.Contain("field 'n' ").And.Contain(problem));
    }

    [Test]
    public void IntegerPastInt32()
    {
        using var dir = Repo.Temp();
        var config = Config(dir, "{\"n\": 2147483648, \"list\": [1, -2147483649]}");
        Assert.That(FieldFails(config, c => c.GetInt("n")), Does.Contain("'n' is out of range: 2147483648 does not fit a 32-bit integer"));
        Assert.That(FieldFails(config, c => c.GetIntArray("list")), Does.Contain("'list[1]' is out of range"));
        Assert.That(config.GetLong("n"), Is.EqualTo(2147483648L));
    }

    [Test]
    public void IntegersWrittenAsFloatsAndNegativeZero()
    {
        using var dir = Repo.Temp();
        var config = Config(dir, "{\"a\": 1e3, \"b\": 2.0, \"c\": -0, \"d\": -0.0, \"e\": -9223372036854775808}");
        Assert.That(config.GetInt("a"), Is.EqualTo(1000));
        Assert.That(config.GetInt("b"), Is.EqualTo(2));
        Assert.That(config.GetInt("c"), Is.EqualTo(0));
        Assert.That(config.GetDouble("d"), Is.EqualTo(0.0));
        Assert.That(config.GetLong("e"), Is.EqualTo(long.MinValue));
    }

    [Test]
    public void WrongTypesNameTheField()
    {
        using var dir = Repo.Temp();
        var config = Config(dir, "{\"s\": 3, \"b\": \"yes\", \"d\": \"0.5\", \"ia\": 3, \"ba\": [true, 1], \"nul\": null}");
        Assert.That(FieldFails(config, c => c.GetString("s")), Does.EndWith("field 's' must be a string"));
        Assert.That(FieldFails(config, c => c.GetBool("b")), Does.EndWith("field 'b' must be true or false"));
        Assert.That(FieldFails(config, c => c.GetDouble("d")), Does.EndWith("field 'd' must be a number"));
        Assert.That(FieldFails(config, c => c.GetIntArray("ia")), Does.EndWith("field 'ia' must be an array of integers"));
        Assert.That(FieldFails(config, c => c.GetBoolArray("ba")), Does.EndWith("field 'ba[1]' must be true or false"));
        Assert.That(FieldFails(config, c => c.GetInt("nul")), Does.EndWith("field 'nul' is missing"));
    }

    [Test]
    public void FieldNameWithALineBreakStaysOnOneLine()
    {
        // Found by the fuzzer: a caller that reads every field of Root passes the file's own names, escapes and all.
        using var dir = Repo.Temp();
        var config = Config(dir, "{\"\\u000ause_flow\": \"zero\"}");
        string field = config.Root.Single().Key;
        Assert.That(FieldFails(config, c => c.GetInt(field)), Does.Contain("field '\\nuse_flow' must be an integer"));
    }

    [Test]
    public void ValuesSetFromCodeThatHaveNoJsonText()
    {
        var config = new JsonConfig("config.json", new System.Text.Json.Nodes.JsonObject { ["x"] = double.NaN, ["y"] = double.PositiveInfinity });
        Assert.That(FieldFails(config, c => c.GetDouble("x")), Does.Contain("'x'"));
        Assert.That(FieldFails(config, c => c.GetInt("y")), Does.Contain("'y'"));
    }
}
