using FastVideo.Onnx.Core.Errors;
using Microsoft.ML.Tokenizers;

namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>
/// The prompt tokenizer of Wan's UMT5 text encoder (any T5-family SentencePiece tokenizer), loaded from a Diffusers
/// <c>tokenizer/</c> folder and called the way Diffusers' Wan pipelines call theirs:
/// <c>tokenizer(prompt_clean(prompt), padding="max_length", max_length=max_sequence_length, truncation=True,
/// add_special_tokens=True, return_attention_mask=True)</c>: the SentencePiece ids, cut to max_length - 1 when
/// longer, then eos, then pad ids up to max_length; the mask is 1 for every real token including eos.
/// </summary>
/// <remarks>
/// The folder's <c>spiece.model</c> is the tokenizer (Microsoft.ML.Tokenizers' SentencePiece unigram, with runs of
/// unknown characters merged into one unk as SentencePiece does); tokenizer.json and tokenizer_config.json only name
/// the special ids. <see cref="EncodeToIds"/> gave spm_encode's ids (sentencepiece 0.1.97) on 221 test strings,
/// accented, full-width, ligature, CJK and emoji text included. transformers' T5 tokenizer agrees with spm_encode
/// on ordinary text; where it does not: it splits out special-token texts written inside a prompt (a literal
/// "&lt;/s&gt;" becomes the eos id) that SentencePiece tokenizes as text, and a tokenizer.json without SentencePiece's
/// normalization (as this project's tiny fixture has) skips the NFKC mapping spiece.model applies.
/// </remarks>
public sealed class T5PromptTokenizer
{
    public const string ModelFile = "spiece.model";

    readonly SentencePieceTokenizer _tokenizer;

    public string Folder { get; }
    public SentencePieceModelFile Model { get; }
    public T5SpecialTokens SpecialTokens { get; }
    public int PadId => SpecialTokens.PadId;
    public int EosId => SpecialTokens.EosId;
    public int UnkId => SpecialTokens.UnkId;
    public int VocabularySize => Model.Pieces.Count;

    T5PromptTokenizer(string folder, SentencePieceModelFile model, T5SpecialTokens specialTokens, SentencePieceTokenizer tokenizer)
    {
        Folder = folder;
        Model = model;
        SpecialTokens = specialTokens;
        _tokenizer = tokenizer;
    }

    /// <summary>Loads the tokenizer of a Diffusers <c>tokenizer/</c> folder (spiece.model, with tokenizer_config.json and tokenizer.json when present).</summary>
    public static T5PromptTokenizer FromFolder(string tokenizerFolder)
    {
        ArgumentNullException.ThrowIfNull(tokenizerFolder);
        if (!Directory.Exists(tokenizerFolder)) throw new ModelFormatException(tokenizerFolder, "tokenizer folder not found");
        string modelPath = Path.Combine(tokenizerFolder, ModelFile);
        if (!File.Exists(modelPath))
        {
            bool jsonOnly = File.Exists(Path.Combine(tokenizerFolder, T5SpecialTokens.TokenizerJsonFile));
            throw new ModelFormatException(modelPath, jsonOnly
                ? "missing; the folder has only tokenizer.json, and tokenizer.json-only tokenizer folders are not supported yet (the T5/UMT5 tokenizer needs the SentencePiece model)"
                : "missing; a T5/UMT5 tokenizer folder needs its SentencePiece model");
        }

        var model = SentencePieceModelFile.Load(modelPath);
        var special = T5SpecialTokens.Resolve(tokenizerFolder, model);
        return new T5PromptTokenizer(tokenizerFolder, model, special, CreateTokenizer(model, special));
    }

    static SentencePieceTokenizer CreateTokenizer(SentencePieceModelFile model, T5SpecialTokens special)
    {
        // Microsoft.ML.Tokenizers 2.0.1 fails on bos_id = -1 (see SentencePieceModelFile): point it at the pad
        // piece, a control piece that is never matched in text; bos itself is never emitted below.
        byte[] bytes = model.Contains(model.BosId) ? model.Bytes.ToArray() : model.WithBosId(special.PadId);
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelFormatException(model.Path, $"Microsoft.ML.Tokenizers could not load it as a SentencePiece model ({e.GetType().Name}: {e.Message.Split('\n')[0]})", e);
        }
    }

    /// <summary>The SentencePiece ids of <paramref name="text"/> as it is (no cleaning, no eos, no padding): what spm_encode prints.</summary>
    public int[] EncodeToIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return [];
        var ids = _tokenizer.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        return MergeUnknownRuns(ids, Model.UnkId);
    }

    /// <summary>
    /// SentencePiece (and transformers' Unigram, fuse_unk) emit one unk for a run of characters missing from the
    /// vocabulary; Microsoft.ML.Tokenizers emits one per character. Merging adjacent unk ids gives spm_encode's ids.
    /// </summary>
    static int[] MergeUnknownRuns(IReadOnlyList<int> ids, int unkId)
    {
        var merged = new List<int>(ids.Count);
        foreach (int id in ids)
        {
            if (id == unkId && merged.Count > 0 && merged[^1] == unkId) continue;
            merged.Add(id);
        }
        return merged.ToArray();
    }

    /// <summary>
    /// One prompt, cleaned as Diffusers' pipelines clean it (<see cref="DiffusersPromptCleaner"/>) unless
    /// <paramref name="clean"/> is false, tokenized, truncated to keep eos last, padded to <paramref name="maxLength"/>.
    /// An empty prompt gives [eos, pad, ...] with length 1 (rejecting it, if wanted, is the pipeline's call).
    /// </summary>
    public TokenizedPrompt Encode(string prompt, int maxLength, bool clean = true)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        CheckMaxLength(maxLength);
        var ids = new long[maxLength];
        var mask = new long[maxLength];
        int length = EncodeInto(prompt, clean, ids, mask);
        return new TokenizedPrompt(ids, mask, length);
    }

    /// <summary>Several prompts as one [count, maxLength] batch, each row as <see cref="Encode"/> makes it.</summary>
    public TokenizedPromptBatch EncodeBatch(IReadOnlyList<string> prompts, int maxLength, bool clean = true)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        CheckMaxLength(maxLength);
        var ids = new long[prompts.Count * maxLength];
        var mask = new long[prompts.Count * maxLength];
        var lengths = new int[prompts.Count];
        for (int i = 0; i < prompts.Count; i++)
        {
            string prompt = prompts[i] ?? throw new ArgumentNullException(nameof(prompts), $"prompt {i} is null");
            lengths[i] = EncodeInto(prompt, clean, ids.AsSpan(i * maxLength, maxLength), mask.AsSpan(i * maxLength, maxLength));
        }
        return new TokenizedPromptBatch(ids, mask, lengths, prompts.Count, maxLength);
    }

    int EncodeInto(string prompt, bool clean, Span<long> ids, Span<long> mask)
    {
        int maxLength = ids.Length;
        int[] pieces = EncodeToIds(clean ? DiffusersPromptCleaner.Clean(prompt) : prompt);
        // transformers truncates the text to max_length minus the special tokens it adds (one eos), so that the
        // eos survives truncation ("longest_first" on a single sequence cuts from the end).
        int kept = Math.Min(pieces.Length, maxLength - 1);
        for (int i = 0; i < kept; i++) ids[i] = pieces[i];
        ids[kept] = EosId;
        int length = kept + 1;
        mask[..length].Fill(1);
        mask[length..].Clear();
        ids[length..].Fill(PadId);
        return length;
    }

    static void CheckMaxLength(int maxLength)
    {
        if (maxLength < 1) throw new InvalidRequestException("max_sequence_length", $"must be at least 1 (room for the eos token), got {maxLength}");
    }
}
