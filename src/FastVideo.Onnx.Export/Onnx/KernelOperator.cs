namespace FastVideo.Onnx.Export.Onnx;

/// <summary>
/// The signature of one custom operator of the kernel library (<see cref="FastVideoKernels"/>): its name, its inputs in
/// order (an absent optional input is written as an empty name), how many outputs it has, and the attributes it reads.
/// </summary>
internal sealed record KernelOperator(string Name, IReadOnlyList<string> Inputs, int Outputs, IReadOnlyList<string> Attributes);
