using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>
/// The pad, eos and unk ids of a T5/UMT5 tokenizer folder. The token texts come from tokenizer_config.json
/// (<c>pad_token</c>, <c>eos_token</c>, <c>unk_token</c>, as a string or an AddedToken object) or T5's defaults
/// (&lt;pad&gt;, &lt;/s&gt;, &lt;unk&gt;); each text's id from tokenizer.json's <c>added_tokens</c>, else
/// tokenizer_config.json's <c>added_tokens_decoder</c>, else the SentencePiece vocabulary, else the model's
/// trainer_spec. That is the order in which transformers resolves them.
/// </summary>
internal sealed record T5SpecialTokens(int PadId, int EosId, int UnkId, string PadToken, string EosToken, string UnkToken)
{
    public const string TokenizerConfigFile = "tokenizer_config.json";
    public const string TokenizerJsonFile = "tokenizer.json";

    public static T5SpecialTokens Resolve(string folder, SentencePieceModelFile model)
    {
        string configPath = Path.Combine(folder, TokenizerConfigFile);
        string jsonPath = Path.Combine(folder, TokenizerJsonFile);
        var config = File.Exists(configPath) ? JsonConfig.Load(configPath) : null;
        var tokenizerJson = File.Exists(jsonPath) ? JsonConfig.Load(jsonPath) : null;

        string? padNamed = TokenText(config, "pad_token"), eosNamed = TokenText(config, "eos_token"), unkNamed = TokenText(config, "unk_token");
        string padToken = padNamed ?? "<pad>", eosToken = eosNamed ?? "</s>", unkToken = unkNamed ?? "<unk>";

        int Id(string role, string text, bool named, int trainerSpecId)
        {
            int? id = AddedTokenId(tokenizerJson, text) ?? DecoderTokenId(config, text) ?? model.IdOf(text);
            // The model's own id stands in only for a token the config does not name: a named token that exists
            // nowhere would be a new token to transformers, with no embedding row in the text encoder.
            if (id is null && !named && trainerSpecId >= 0) id = trainerSpecId;
            string source = config?.Path ?? model.Path;
            if (id is null) throw new ModelFormatException(source, $"{role} '{text}' is neither an added token nor a piece of {Path.GetFileName(model.Path)}");
            if (!model.Contains(id.Value))
                throw new ModelFormatException(source, $"{role} '{text}' has id {id} outside the vocabulary of {model.Pieces.Count} pieces of {Path.GetFileName(model.Path)}");
            return id.Value;
        }

        return new T5SpecialTokens(
            Id("pad_token", padToken, padNamed is not null, model.PadId),
            Id("eos_token", eosToken, eosNamed is not null, model.EosId),
            Id("unk_token", unkToken, unkNamed is not null, model.UnkId),
            padToken, eosToken, unkToken);
    }

    /// <summary>A special token's text: a plain string, or an AddedToken object's "content" (older transformers wrote those).</summary>
    static string? TokenText(JsonConfig? config, string field)
    {
        if (config is null || !config.Root.TryGetPropertyValue(field, out var node) || node is null) return null;
        if (node is JsonValue v && v.TryGetValue(out string? s)) return s;
        if (node is JsonObject o && o["content"] is JsonValue c && c.TryGetValue(out string? content)) return content;
        throw new ModelFormatException(config.Path, $"field '{field}' must be a string or an object with a 'content' string");
    }

    /// <summary>tokenizer.json: <c>"added_tokens": [{"id": 1, "content": "&lt;/s&gt;", ...}]</c>.</summary>
    static int? AddedTokenId(JsonConfig? tokenizerJson, string text)
    {
        if (tokenizerJson?.Root["added_tokens"] is not JsonArray tokens) return null;
        foreach (var token in tokens)
        {
            if (token is JsonObject o && o["content"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
                && (string?)o["content"] == text && o["id"] is JsonValue idValue && idValue.TryGetValue(out int id))
                return id;
        }
        return null;
    }

    /// <summary>tokenizer_config.json: <c>"added_tokens_decoder": {"1": {"content": "&lt;/s&gt;", ...}}</c>.</summary>
    static int? DecoderTokenId(JsonConfig? config, string text)
    {
        if (config?.Root["added_tokens_decoder"] is not JsonObject decoder) return null;
        foreach (var (key, token) in decoder)
        {
            if (token is JsonObject o && o["content"] is JsonValue c && c.TryGetValue(out string? content) && content == text
                && int.TryParse(key, out int id))
                return id;
        }
        return null;
    }
}
