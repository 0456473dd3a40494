using System.Net;
using System.Text;

namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>
/// Diffusers' prompt cleaning (<c>prompt_clean</c>, as in pipelines/wan/pipeline_wan.py and the pipelines that share it), applied to every prompt
/// before it is tokenized: <c>whitespace_clean(basic_clean(text))</c>, where basic_clean is ftfy.fix_text, then
/// html.unescape twice, then strip, and whitespace_clean collapses each run of whitespace to one space and strips.
/// </summary>
/// <remarks>
/// Differences from Python, all on unusual input:
/// <list type="bullet">
/// <item>ftfy.fix_text (mojibake repair) is not applied. Diffusers skips it too when ftfy is not installed, as in the
/// environment that produced this project's reference fixtures.</item>
/// <item>html.unescape is <see cref="WebUtility.HtmlDecode(string)"/>: the same for numeric references and the common
/// named entities; Python also knows the rarer HTML5 names and the legacy forms without a semicolon ("&amp;amp" with
/// no ';'), which stay as written here.</item>
/// </list>
/// Whitespace follows Python's <c>str.isspace</c> exactly (what <c>\s</c> and <c>strip()</c> use on str), which is
/// .NET's <see cref="char.IsWhiteSpace(char)"/> plus the separators U+001C..U+001F.
/// </remarks>
public static class DiffusersPromptCleaner
{
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return CollapseWhitespace(BasicClean(text));
    }

    /// <summary>basic_clean without ftfy: html.unescape twice (so "&amp;amp;lt;" becomes "&amp;lt;" then "&lt;"), then strip.</summary>
    public static string BasicClean(string text)
    {
        if (text.Contains('&')) text = WebUtility.HtmlDecode(WebUtility.HtmlDecode(text));
        return Strip(text);
    }

    /// <summary>whitespace_clean: <c>re.sub(r"\s+", " ", text).strip()</c>.</summary>
    public static string CollapseWhitespace(string text)
    {
        var result = new StringBuilder(text.Length);
        bool inWhitespace = false;
        foreach (char c in text)
        {
            if (IsPythonWhitespace(c))
            {
                if (!inWhitespace) result.Append(' ');
                inWhitespace = true;
            }
            else
            {
                result.Append(c);
                inWhitespace = false;
            }
        }
        return Strip(result.ToString());
    }

    /// <summary>Python's <c>str.isspace()</c> for one UTF-16 unit (no whitespace character lies outside the BMP).</summary>
    public static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    static string Strip(string text)
    {
        int start = 0, end = text.Length;
        while (start < end && IsPythonWhitespace(text[start])) start++;
        while (end > start && IsPythonWhitespace(text[end - 1])) end--;
        return start == 0 && end == text.Length ? text : text[start..end];
    }
}
