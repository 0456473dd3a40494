using FastVideo.Onnx.Runtime.Tensors;
using FastVideo.Onnx.Core.Errors;

namespace FastVideo.Onnx.Runtime.Imaging;

/// <summary>
/// transformers' CLIPImageProcessor for the I2V image encoder: resize (shortest edge to size.shortest_edge, aspect
/// kept, or an exact size), center crop to crop_size, rescale, normalize, giving float32 pixel_values [1, 3, H, W].
/// The geometry follows transformers exactly: get_resize_output_image_size with default_to_square=False
/// (long side = int(shortest_edge * long / short)), crop offsets int((size - crop) / 2), zero padding where the crop
/// is larger. Resizing reproduces the chosen backend's 8-bit arithmetic (<see cref="TransformersImageBackend"/>),
/// so the output matches Python's to float32 rounding.
/// </summary>
internal sealed class ClipImageProcessor
{
    public ClipImageProcessorConfig Config { get; }
    public TransformersImageBackend Backend { get; }

    /// <summary>The filter actually used: transformers' torchvision backend replaces lanczos by bicubic (with a warning), as here.</summary>
    public ResampleFilter Filter { get; }

    public ClipImageProcessor(ClipImageProcessorConfig config, TransformersImageBackend backend = TransformersImageBackend.Torchvision, string? configPath = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        Backend = backend;
        string where = configPath ?? ClipImageProcessorConfig.FileName;
        if (backend == TransformersImageBackend.Torchvision)
        {
            Filter = config.Resample switch
            {
                2 => ResampleFilter.Bilinear,
                3 or 1 => ResampleFilter.Bicubic,
                _ => throw new ModelFormatException(where, $"field 'resample' {config.Resample} is not supported with the torchvision backend (2 bilinear, 3 bicubic, 1 lanczos read as bicubic)"),
            };
        }
        else
        {
            try
            {
                Filter = ResampleFilters.FromPil(config.Resample);
            }
            catch (NotSupportedException e)
            {
                throw new ModelFormatException(where, $"field 'resample': {e.Message}");
            }
        }
    }

    /// <summary>Reads <c>preprocessor_config.json</c> from a Diffusers <c>image_processor/</c> folder (or the file itself).</summary>
    public static ClipImageProcessor FromFolder(string imageProcessorFolderOrFile, TransformersImageBackend backend = TransformersImageBackend.Torchvision)
    {
        ArgumentNullException.ThrowIfNull(imageProcessorFolderOrFile);
        string path = Directory.Exists(imageProcessorFolderOrFile)
            ? Path.Combine(imageProcessorFolderOrFile, ClipImageProcessorConfig.FileName)
            : imageProcessorFolderOrFile;
        return new ClipImageProcessor(ClipImageProcessorConfig.Load(path), backend, path);
    }

    public HostTensor Preprocess(string imagePath) => Preprocess(ImageLoader.Load(imagePath));

    /// <summary>pixel_values for one image. do_convert_rgb needs no step: an <see cref="RgbImage"/> is RGB already.</summary>
    public HostTensor Preprocess(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var arithmetic = Backend == TransformersImageBackend.Torchvision ? ResampleArithmetic.TorchUint8 : ResampleArithmetic.Pillow;
        if (Config.DoResize)
        {
            var (height, width) = ResizeTarget(image.Height, image.Width);
            image = SeparableResampler.Resize(image, width, height, Filter, arithmetic);
        }
        if (Config.DoCenterCrop)
        {
            var (top, left) = CropOrigin(image.Height, image.Width, Config.CropHeight, Config.CropWidth, Backend);
            image = image.CropWithZeroFill(left, top, Config.CropWidth, Config.CropHeight);
        }
        return new HostTensor(RescaleAndNormalize(image), [1, 3, image.Height, image.Width]);
    }

    /// <summary>(height, width) after resizing: transformers' get_resize_output_image_size(default_to_square=False) for shortest_edge.</summary>
    public (int Height, int Width) ResizeTarget(int height, int width)
    {
        if (Config.ShortestEdge is not int edge) return (Config.ResizeHeight!.Value, Config.ResizeWidth!.Value);
        bool portrait = width <= height;
        int shortSide = portrait ? width : height, longSide = portrait ? height : width;
        // Python: int(requested_new_short * long / short): exact integer product, true division, truncation.
        int newLong = (int)((double)((long)edge * longSide) / shortSide);
        return portrait ? (newLong, edge) : (edge, newLong);
    }

    /// <summary>
    /// Top-left of the crop window in image coordinates (negative where it pads). Both backends use
    /// int((size - crop) / 2) when the image is large enough; when it is not, torchvision pads (crop - size) // 2
    /// before (extra pixel after) and NumPy's center_crop ceil((crop - size) / 2) before (extra pixel before).
    /// </summary>
    public static (int Top, int Left) CropOrigin(int height, int width, int cropHeight, int cropWidth, TransformersImageBackend backend)
    {
        static int Origin(int size, int crop, TransformersImageBackend backend) =>
            size >= crop ? (size - crop) / 2
            : backend == TransformersImageBackend.Torchvision ? -((crop - size) / 2)
            : (int)Math.Floor((size - crop) / 2.0);
        return (Origin(height, cropHeight, backend), Origin(width, cropWidth, backend));
    }

    /// <summary>
    /// uint8 HWC to normalised float32 CHW, in each backend's float32 operation order: torchvision fuses rescale into
    /// normalize ((x - mean / rescale) / (std / rescale)); NumPy rescales in float64, stores float32, then normalizes.
    /// </summary>
    float[] RescaleAndNormalize(RgbImage image)
    {
        int plane = image.Width * image.Height;
        var output = new float[3 * plane];
        bool torch = Backend == TransformersImageBackend.Torchvision;
        for (int c = 0; c < 3; c++)
        {
            float mean = Config.ImageMean[c], std = Config.ImageStd[c];
            if (torch && Config.DoRescale && Config.DoNormalize)
            {
                // torch.tensor(mean) * (1.0 / rescale_factor): a float32 tensor times a Python float stays float32.
                float scaleUp = (float)(1.0 / Config.RescaleFactor);
                mean *= scaleUp;
                std *= scaleUp;
            }
            for (int i = 0; i < plane; i++)
            {
                byte u = image.Pixels[i * 3 + c];
                float x;
                if (torch)
                {
                    x = u;
                    if (Config.DoNormalize) x = (x - mean) / std;
                    else if (Config.DoRescale) x *= (float)Config.RescaleFactor;
                }
                else
                {
                    x = Config.DoRescale ? (float)(u * Config.RescaleFactor) : u;
                    if (Config.DoNormalize) x = (x - mean) / std;
                }
                output[c * plane + i] = x;
            }
        }
        return output;
    }
}
