namespace RefusalGate.Inference.Runtime;

/// <summary>
/// A named tensor over caller-owned memory (typically rented from an <see cref="System.Buffers.ArrayPool{T}"/>),
/// used for inputs and for pre-allocated outputs so a run copies nothing.
/// </summary>
public readonly struct TensorBinding
{
    private TensorBinding(string name, TensorElementKind kind, Memory<float> floats, Memory<long> longs, long[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        long elements = 1;
        foreach (var dimension in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(dimension, nameof(shape));
            elements *= dimension;
        }

        var length = kind == TensorElementKind.FloatingPoint32 ? floats.Length : longs.Length;
        if (elements != length)
        {
            throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape)}] holds {elements} elements, the buffer {length}.", nameof(shape));
        }

        Name = name;
        Kind = kind;
        Floats = floats;
        Longs = longs;
        Shape = shape;
    }

    public string Name { get; }

    public TensorElementKind Kind { get; }

    public Memory<float> Floats { get; }

    public Memory<long> Longs { get; }

    public long[] Shape { get; }

    public static TensorBinding OfFloats(string name, Memory<float> data, params long[] shape) =>
        new(name, TensorElementKind.FloatingPoint32, data, Memory<long>.Empty, shape);

    public static TensorBinding OfLongs(string name, Memory<long> data, params long[] shape) =>
        new(name, TensorElementKind.SignedInteger64, Memory<float>.Empty, data, shape);
}
