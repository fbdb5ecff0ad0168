using System.Buffers;
using RefusalGate.Inference.Runtime;

namespace RefusalGate.Inference.Heads;

/// <summary>
/// Runs a small ONNX model on a batch of feature rows, e.g. a classifier or detector head on top of
/// sentence embeddings: named float inputs [batch, ...] → named float outputs [batch, ...].
/// </summary>
/// <remarks>
/// Every input and output must be float32 with a dynamic (or any) first dimension and fixed other
/// dimensions, so output buffers can be sized before the run. Rows are flattened per example.
/// Create it over a shared session: <c>new OnnxHead(factory.GetOrCreate(path, hint))</c>. Thread-safe.
/// </remarks>
public sealed class OnnxHead
{
    private readonly IInferenceSession _session;
    private readonly int[] _inputRowSizes;
    private readonly int[] _outputRowSizes;

    public OnnxHead(IInferenceSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
        _inputRowSizes = session.Inputs.Select(t => RowSize(session.ModelPath, t)).ToArray();
        _outputRowSizes = session.Outputs.Select(t => RowSize(session.ModelPath, t)).ToArray();
    }

    public IReadOnlyList<TensorMetadata> Inputs => _session.Inputs;

    public IReadOnlyList<TensorMetadata> Outputs => _session.Outputs;

    /// <summary>Values per example of each input, in <see cref="Inputs"/> order.</summary>
    public IReadOnlyList<int> InputRowSizes => _inputRowSizes;

    /// <summary>Values per example of each output, in <see cref="Outputs"/> order.</summary>
    public IReadOnlyList<int> OutputRowSizes => _outputRowSizes;

    /// <summary>Runs a head with exactly one input; returns the rows of every output by name.</summary>
    public IReadOnlyDictionary<string, float[][]> Run(IReadOnlyList<float[]> rows) =>
        _session.Inputs.Count == 1
            ? Run(new Dictionary<string, IReadOnlyList<float[]>> { [_session.Inputs[0].Name] = rows })
            : throw new InvalidOperationException($"{_session.ModelPath} has {_session.Inputs.Count} inputs; name them.");

    /// <summary>Runs the head; every input row list must have the same length (the batch size).</summary>
    public IReadOnlyDictionary<string, float[][]> Run(IReadOnlyDictionary<string, IReadOnlyList<float[]>> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var batch = inputs.Count == 0 ? 0 : inputs.Values.First().Count;
        var rented = new List<float[]>();
        try
        {
            var inputBindings = new TensorBinding[_session.Inputs.Count];
            for (var i = 0; i < inputBindings.Length; i++)
            {
                var metadata = _session.Inputs[i];
                if (!inputs.TryGetValue(metadata.Name, out var rows) || rows.Count != batch)
                {
                    throw new ArgumentException($"Input '{metadata.Name}' of {_session.ModelPath} needs {batch} rows.", nameof(inputs));
                }

                var size = _inputRowSizes[i];
                var buffer = Rent(rented, batch * size);
                for (var r = 0; r < batch; r++)
                {
                    if (rows[r].Length != size)
                    {
                        throw new ArgumentException($"Input '{metadata.Name}' rows must hold {size} values; row {r} holds {rows[r].Length}.", nameof(inputs));
                    }

                    rows[r].CopyTo(buffer, r * size);
                }

                inputBindings[i] = TensorBinding.OfFloats(metadata.Name, buffer.AsMemory(0, batch * size), Shape(metadata, batch));
            }

            var outputBindings = new TensorBinding[_session.Outputs.Count];
            for (var o = 0; o < outputBindings.Length; o++)
            {
                var metadata = _session.Outputs[o];
                var buffer = Rent(rented, batch * _outputRowSizes[o]);
                outputBindings[o] = TensorBinding.OfFloats(metadata.Name, buffer.AsMemory(0, batch * _outputRowSizes[o]), Shape(metadata, batch));
            }

            _session.Run(inputBindings, outputBindings);
            var result = new Dictionary<string, float[][]>(StringComparer.Ordinal);
            for (var o = 0; o < outputBindings.Length; o++)
            {
                var size = _outputRowSizes[o];
                var data = outputBindings[o].Floats.Span;
                var rows = new float[batch][];
                for (var r = 0; r < batch; r++)
                {
                    rows[r] = data.Slice(r * size, size).ToArray();
                }

                result[_session.Outputs[o].Name] = rows;
            }

            return result;
        }
        finally
        {
            foreach (var buffer in rented)
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }

    private static float[] Rent(List<float[]> rented, int length)
    {
        var buffer = ArrayPool<float>.Shared.Rent(Math.Max(length, 1));
        rented.Add(buffer);
        return buffer;
    }

    private static long[] Shape(TensorMetadata metadata, int batch)
    {
        var shape = metadata.Shape.ToArray();
        shape[0] = batch;
        return shape;
    }

    private static int RowSize(string modelPath, TensorMetadata metadata)
    {
        if (metadata.ElementKind != TensorElementKind.FloatingPoint32 || metadata.Shape.Count == 0)
        {
            throw new NotSupportedException($"{modelPath}: '{metadata.Name}' must be a float32 tensor with a batch dimension.");
        }

        long size = 1;
        foreach (var dimension in metadata.Shape.Skip(1))
        {
            if (dimension < 0)
            {
                throw new NotSupportedException($"{modelPath}: '{metadata.Name}' may only have a dynamic first (batch) dimension.");
            }

            size *= dimension;
        }

        return checked((int)size);
    }
}
