using System.Text;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Tokenizers;

/// <summary>
/// A SentencePiece model file (<c>spiece.model</c>, a serialized ModelProto of sentencepiece_model.proto), read far
/// enough to validate it, to know its vocabulary and special ids, and to rewrite <c>trainer_spec.bos_id</c>.
/// </summary>
/// <remarks>
/// Why the rewrite: Microsoft.ML.Tokenizers 2.0.1 indexes its vocabulary with the beginning-of-sentence id while
/// loading a unigram model and throws IndexOutOfRangeException when it is -1, which is what every T5/UMT5 model
/// has (T5 has no bos). Pointing bos_id at an existing control piece lets it load; T5 never emits a bos, so the
/// choice of piece does not change any encoding.
/// </remarks>
internal sealed class SentencePieceModelFile
{
    // ModelProto
    const int PiecesField = 1;
    const int TrainerSpecField = 2;
    // ModelProto.SentencePiece
    const int PieceTextField = 1;
    const int PieceScoreField = 2;
    const int PieceTypeField = 3;
    // TrainerSpec
    const int ModelTypeField = 3;
    const int UnkIdField = 40;
    const int BosIdField = 41;
    const int EosIdField = 42;
    const int PadIdField = 43;

    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    readonly byte[] _bytes;
    readonly Dictionary<string, int> _idsByText;

    public string Path { get; }
    public IReadOnlyList<SentencePiece> Pieces { get; }
    public SentencePieceModelType ModelType { get; }

    /// <summary>trainer_spec ids, with the proto's defaults when a field is absent (unk 0, bos 1, eos 2, pad -1); -1 means "none".</summary>
    public int UnkId { get; }
    public int BosId { get; }
    public int EosId { get; }
    public int PadId { get; }

    SentencePieceModelFile(string path, byte[] bytes, List<SentencePiece> pieces, SentencePieceModelType modelType,
        int unkId, int bosId, int eosId, int padId)
    {
        Path = path;
        _bytes = bytes;
        Pieces = pieces;
        ModelType = modelType;
        UnkId = unkId;
        BosId = bosId;
        EosId = eosId;
        PadId = padId;
        _idsByText = new Dictionary<string, int>(pieces.Count, StringComparer.Ordinal);
        for (int i = 0; i < pieces.Count; i++) _idsByText.TryAdd(pieces[i].Text, i);
    }

    /// <summary>The model's bytes as read.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    public static SentencePieceModelFile Load(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "file not found");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(path, $"cannot be read ({e.Message})", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses a ModelProto; anything that is not a well-formed SentencePiece unigram or BPE model is a <see cref="ModelFormatException"/> naming <paramref name="path"/>.</summary>
    public static SentencePieceModelFile Parse(byte[] bytes, string path)
    {
        ModelFormatException NotAModel(string why) => new(path, $"not a SentencePiece model ({why})");

        if (bytes.Length == 0) throw NotAModel("the file is empty");
        List<ProtobufField> fields;
        try
        {
            fields = ProtobufFields.Read(bytes);
        }
        catch (FormatException e)
        {
            throw NotAModel($"protobuf parse failed: {e.Message}");
        }

        var pieces = new List<SentencePiece>();
        var modelType = SentencePieceModelType.Unigram;
        int unkId = 0, bosId = 1, eosId = 2, padId = -1;
        bool sawTrainerSpec = false;
        foreach (var field in fields)
        {
            if (field.Number == PiecesField)
            {
                if (field.WireType != ProtobufWireType.LengthDelimited) throw NotAModel($"field {PiecesField} (pieces) has wire type {field.WireType}");
                pieces.Add(ReadPiece(bytes, field, pieces.Count, NotAModel));
            }
            else if (field.Number == TrainerSpecField)
            {
                if (field.WireType != ProtobufWireType.LengthDelimited) throw NotAModel($"field {TrainerSpecField} (trainer_spec) has wire type {field.WireType}");
                sawTrainerSpec = true;
                List<ProtobufField> spec;
                try
                {
                    spec = ProtobufFields.Read(bytes.AsSpan(field.PayloadOffset, field.PayloadLength));
                }
                catch (FormatException e)
                {
                    throw NotAModel($"trainer_spec parse failed: {e.Message}");
                }
                foreach (var s in spec)
                {
                    if (s.WireType != ProtobufWireType.Varint) continue;
                    switch (s.Number)
                    {
                        case ModelTypeField: modelType = (SentencePieceModelType)s.AsInt32; break;
                        case UnkIdField: unkId = s.AsInt32; break;
                        case BosIdField: bosId = s.AsInt32; break;
                        case EosIdField: eosId = s.AsInt32; break;
                        case PadIdField: padId = s.AsInt32; break;
                    }
                }
            }
        }

        if (pieces.Count == 0) throw NotAModel("no vocabulary pieces");
        if (!sawTrainerSpec) throw NotAModel("no trainer_spec");
        if (modelType is not (SentencePieceModelType.Unigram or SentencePieceModelType.Bpe))
            throw new ModelFormatException(path, $"SentencePiece model type {modelType} is not supported (unigram and BPE are)");
        if (unkId < 0 || unkId >= pieces.Count)
            throw new ModelFormatException(path, $"trainer_spec.unk_id {unkId} is outside the vocabulary of {pieces.Count} pieces");
        return new SentencePieceModelFile(path, bytes, pieces, modelType, unkId, bosId, eosId, padId);
    }

    static SentencePiece ReadPiece(byte[] bytes, ProtobufField field, int index, Func<string, ModelFormatException> notAModel)
    {
        List<ProtobufField> parts;
        try
        {
            parts = ProtobufFields.Read(bytes.AsSpan(field.PayloadOffset, field.PayloadLength));
        }
        catch (FormatException e)
        {
            throw notAModel($"piece {index}: {e.Message}");
        }
        string? text = null;
        float score = 0;
        var type = SentencePieceType.Normal;
        foreach (var p in parts)
        {
            switch (p.Number)
            {
                case PieceTextField when p.WireType == ProtobufWireType.LengthDelimited:
                    try
                    {
                        text = StrictUtf8.GetString(bytes, field.PayloadOffset + p.PayloadOffset, p.PayloadLength);
                    }
                    catch (DecoderFallbackException)
                    {
                        throw notAModel($"piece {index} is not valid UTF-8");
                    }
                    break;
                case PieceScoreField when p.WireType == ProtobufWireType.Fixed32:
                    score = p.AsSingle;
                    break;
                case PieceTypeField when p.WireType == ProtobufWireType.Varint:
                    type = (SentencePieceType)p.AsInt32;
                    break;
            }
        }
        if (text is null) throw notAModel($"piece {index} has no text");
        return new SentencePiece(text, score, type);
    }

    /// <summary>The id of a piece by its exact text, or null.</summary>
    public int? IdOf(string pieceText) => _idsByText.TryGetValue(pieceText, out int id) ? id : null;

    /// <summary>Whether <paramref name="id"/> names a piece of this model.</summary>
    public bool Contains(int id) => id >= 0 && id < Pieces.Count;

    /// <summary>The model's bytes with trainer_spec.bos_id set to <paramref name="bosId"/>; every other byte is kept as it was.</summary>
    public byte[] WithBosId(int bosId)
    {
        var output = new MemoryStream(_bytes.Length + 16);
        foreach (var field in ProtobufFields.Read(_bytes))
        {
            if (field.Number != TrainerSpecField)
            {
                output.Write(_bytes, field.Offset, field.Length);
                continue;
            }
            var spec = new MemoryStream(field.PayloadLength + 16);
            bool replaced = false;
            foreach (var s in ProtobufFields.Read(_bytes.AsSpan(field.PayloadOffset, field.PayloadLength)))
            {
                if (s.Number == BosIdField)
                {
                    // Keep the field where it was; protobuf takes the last occurrence, so write every occurrence anew.
                    ProtobufFields.WriteInt32Field(spec, BosIdField, bosId);
                    replaced = true;
                }
                else spec.Write(_bytes, field.PayloadOffset + s.Offset, s.Length);
            }
            if (!replaced) ProtobufFields.WriteInt32Field(spec, BosIdField, bosId);
            ProtobufFields.WriteBytesField(output, TrainerSpecField, spec.GetBuffer().AsSpan(0, (int)spec.Length));
        }
        return output.ToArray();
    }
}
