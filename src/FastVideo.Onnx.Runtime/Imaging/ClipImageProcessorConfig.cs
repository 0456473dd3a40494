using System.Text.Json.Nodes;
using FastVideo.Onnx.Core.Errors;
using FastVideo.Onnx.Core.Json;

namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>
/// The settings of a CLIPImageProcessor (a Diffusers pipeline's <c>image_processor/preprocessor_config.json</c>), with
/// transformers' defaults for absent fields. The resize target is either the shortest edge (aspect kept) or an exact
/// height and width.
/// </summary>
internal sealed record ClipImageProcessorConfig
{
    public const string FileName = "preprocessor_config.json";

    /// <summary>OPENAI_CLIP_MEAN / OPENAI_CLIP_STD of transformers.image_utils.</summary>
    static readonly float[] OpenAiClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    static readonly float[] OpenAiClipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    public bool DoResize { get; init; } = true;
    public int? ShortestEdge { get; init; } = 224;
    public int? ResizeHeight { get; init; }
    public int? ResizeWidth { get; init; }
    /// <summary>PIL's resample integer as written in the file (3 = bicubic).</summary>
    public int Resample { get; init; } = 3;
    public bool DoCenterCrop { get; init; } = true;
    public int CropHeight { get; init; } = 224;
    public int CropWidth { get; init; } = 224;
    public bool DoRescale { get; init; } = true;
    public double RescaleFactor { get; init; } = 1.0 / 255;
    public bool DoNormalize { get; init; } = true;
    /// <summary>Per channel, as float32: both backends hold them as float32 tensors or arrays.</summary>
    public float[] ImageMean { get; init; } = OpenAiClipMean;
    public float[] ImageStd { get; init; } = OpenAiClipStd;
    public bool DoConvertRgb { get; init; } = true;

    public static ClipImageProcessorConfig Load(string path)
    {
        var json = JsonConfig.Load(path);
        var defaults = new ClipImageProcessorConfig();
        var (shortest, height, width) = ReadResizeSize(json, defaults);
        var (cropHeight, cropWidth) = ReadCropSize(json, defaults);
        var config = new ClipImageProcessorConfig
        {
            DoResize = json.GetBool("do_resize", defaults.DoResize),
            ShortestEdge = shortest,
            ResizeHeight = height,
            ResizeWidth = width,
            Resample = json.GetInt("resample", defaults.Resample),
            DoCenterCrop = json.GetBool("do_center_crop", defaults.DoCenterCrop),
            CropHeight = cropHeight,
            CropWidth = cropWidth,
            DoRescale = json.GetBool("do_rescale", defaults.DoRescale),
            RescaleFactor = json.GetDouble("rescale_factor", defaults.RescaleFactor),
            DoNormalize = json.GetBool("do_normalize", defaults.DoNormalize),
            ImageMean = ReadPerChannel(json, "image_mean", defaults.ImageMean),
            ImageStd = ReadPerChannel(json, "image_std", defaults.ImageStd),
            DoConvertRgb = json.GetBool("do_convert_rgb", defaults.DoConvertRgb),
        };
        if (config.DoResize && config.ShortestEdge is null && (config.ResizeHeight is null || config.ResizeWidth is null))
            throw new ModelFormatException(path, "field 'size' needs 'shortest_edge' or both 'height' and 'width'");
        if (config.DoNormalize && config.ImageStd.Any(s => s == 0))
            throw new ModelFormatException(path, "field 'image_std' has a zero");
        if (config.DoRescale && config.RescaleFactor == 0)
            throw new ModelFormatException(path, "field 'rescale_factor' is zero");
        return config;
    }

    /// <summary>transformers' get_size_dict(size, default_to_square=False): an integer means the shortest edge.</summary>
    static (int? Shortest, int? Height, int? Width) ReadResizeSize(JsonConfig json, ClipImageProcessorConfig defaults)
    {
        if (!json.Has("size")) return (defaults.ShortestEdge, defaults.ResizeHeight, defaults.ResizeWidth);
        var node = json.Root["size"];
        if (node is JsonValue) return (Positive(json, "size", json.GetInt("size")), null, null);
        if (node is not JsonObject size) throw new ModelFormatException(json.Path, "field 'size' must be an integer or an object");
        var sub = new JsonConfig(json.Path, size);
        if (sub.Has("longest_edge") || sub.Has("max_height"))
            throw new ModelFormatException(json.Path, "field 'size': 'longest_edge' / 'max_height' resizing is not supported (use 'shortest_edge' or 'height' and 'width')");
        if (sub.Has("shortest_edge")) return (Positive(json, "size.shortest_edge", sub.GetInt("shortest_edge")), null, null);
        if (sub.Has("height") && sub.Has("width"))
            return (null, Positive(json, "size.height", sub.GetInt("height")), Positive(json, "size.width", sub.GetInt("width")));
        throw new ModelFormatException(json.Path, "field 'size' needs 'shortest_edge' or both 'height' and 'width'");
    }

    /// <summary>get_size_dict(crop_size, default_to_square=True): an integer means a square.</summary>
    static (int Height, int Width) ReadCropSize(JsonConfig json, ClipImageProcessorConfig defaults)
    {
        if (!json.Has("crop_size")) return (defaults.CropHeight, defaults.CropWidth);
        if (json.Root["crop_size"] is JsonValue)
        {
            int side = Positive(json, "crop_size", json.GetInt("crop_size"));
            return (side, side);
        }
        if (json.Root["crop_size"] is not JsonObject crop) throw new ModelFormatException(json.Path, "field 'crop_size' must be an integer or an object");
        var sub = new JsonConfig(json.Path, crop);
        if (!sub.Has("height") || !sub.Has("width")) throw new ModelFormatException(json.Path, "field 'crop_size' needs 'height' and 'width'");
        return (Positive(json, "crop_size.height", sub.GetInt("height")), Positive(json, "crop_size.width", sub.GetInt("width")));
    }

    static int Positive(JsonConfig json, string field, int value) =>
        value > 0 ? value : throw new ModelFormatException(json.Path, $"field '{field}' must be positive, got {value}");

    /// <summary>A list of three numbers, or one number for all channels (transformers accepts both).</summary>
    static float[] ReadPerChannel(JsonConfig json, string field, float[] fallback)
    {
        if (!json.Has(field)) return fallback;
        if (json.Root[field] is JsonValue) return Enumerable.Repeat((float)json.GetDouble(field), 3).ToArray();
        var values = json.GetDoubleArray(field);
        if (values.Length != 3) throw new ModelFormatException(json.Path, $"field '{field}' must have 3 values (one per RGB channel), got {values.Length}");
        return values.Select(v => (float)v).ToArray();
    }
}
