using System.Buffers;
using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Runtime;

namespace RefusalGate.Inference.Encoding;

/// <summary>
/// Runs a batch of token windows through the USE-lite ONNX session: groups rows by length bucket,
/// right-pads each group to its longest row and binds pooled buffers, so a run allocates only the result vectors.
/// </summary>
internal sealed class UseLiteBatchProcessor : IBatchProcessor<TokenWindow, float[]>
{
    private readonly IInferenceSession _session;
    private readonly LengthBuckets _buckets;

    public UseLiteBatchProcessor(IInferenceSession session, LengthBuckets buckets)
    {
        ValidateContract(session);
        _session = session;
        _buckets = buckets;
    }

    public void Process(ReadOnlySpan<TokenWindow> requests, Span<float[]> results)
    {
        // One run per length bucket: padding every row to the longest row of a mixed batch would
        // multiply the compute for short prompts (e.g. 14 tokens padded to 128). Within a bucket, a run is
        // padded only to its longest row, not to the bucket's width: the encoder's cost grows with every
        // padded token, the graph accepts any width, and a row's embedding does not depend on its padding.
        var order = ArrayPool<int>.Shared.Rent(requests.Length);
        var keys = ArrayPool<int>.Shared.Rent(requests.Length);
        try
        {
            for (var i = 0; i < requests.Length; i++)
            {
                order[i] = i;
                keys[i] = requests[i].Length;
            }

            var byLength = order.AsSpan(0, requests.Length);
            keys.AsSpan(0, requests.Length).Sort(byLength);
            var first = 0;
            while (first < byLength.Length)
            {
                var width = _buckets.BucketFor(Math.Max(requests[byLength[first]].Length, 1));
                var end = first + 1;
                while (end < byLength.Length && requests[byLength[end]].Length <= width)
                {
                    end++;
                }

                RunPadded(requests, byLength[first..end], Math.Max(requests[byLength[end - 1]].Length, 1), results);
                first = end;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(keys);
        }
    }

    private void RunPadded(ReadOnlySpan<TokenWindow> requests, ReadOnlySpan<int> rows, int width, Span<float[]> results)
    {
        var batch = rows.Length;
        var ids = ArrayPool<long>.Shared.Rent(batch * width);
        var lengths = ArrayPool<long>.Shared.Rent(batch);
        var output = ArrayPool<float>.Shared.Rent(batch * UseLiteModelFiles.Dimension);
        try
        {
            Array.Clear(ids, 0, batch * width);
            for (var row = 0; row < batch; row++)
            {
                var tokens = requests[rows[row]].Span;
                var target = ids.AsSpan(row * width, width);
                for (var i = 0; i < tokens.Length; i++)
                {
                    target[i] = tokens[i];
                }

                lengths[row] = tokens.Length;
            }

            ReadOnlySpan<TensorBinding> inputs =
            [
                TensorBinding.OfLongs(UseLiteModelFiles.TokenIdsInput, ids.AsMemory(0, batch * width), batch, width),
                TensorBinding.OfLongs(UseLiteModelFiles.LengthsInput, lengths.AsMemory(0, batch), batch),
            ];
            ReadOnlySpan<TensorBinding> outputs =
            [
                TensorBinding.OfFloats(UseLiteModelFiles.EmbeddingOutput, output.AsMemory(0, batch * UseLiteModelFiles.Dimension), batch, UseLiteModelFiles.Dimension),
            ];
            _session.Run(inputs, outputs);
            for (var row = 0; row < batch; row++)
            {
                results[rows[row]] = output.AsSpan(row * UseLiteModelFiles.Dimension, UseLiteModelFiles.Dimension).ToArray();
            }
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(lengths);
            ArrayPool<float>.Shared.Return(output);
        }
    }

    private static void ValidateContract(IInferenceSession session)
    {
        bool Has(IReadOnlyList<TensorMetadata> list, string name, TensorElementKind kind) =>
            list.Any(t => t.Name == name && t.ElementKind == kind);

        if (!Has(session.Inputs, UseLiteModelFiles.TokenIdsInput, TensorElementKind.SignedInteger64)
            || !Has(session.Inputs, UseLiteModelFiles.LengthsInput, TensorElementKind.SignedInteger64)
            || !Has(session.Outputs, UseLiteModelFiles.EmbeddingOutput, TensorElementKind.FloatingPoint32))
        {
            throw new InvalidOperationException(
                $"{session.ModelPath} is not the USE-lite encoder graph (expected int64 inputs '{UseLiteModelFiles.TokenIdsInput}', " +
                $"'{UseLiteModelFiles.LengthsInput}' and float output '{UseLiteModelFiles.EmbeddingOutput}'). {UseLiteModelFiles.BuildHint}");
        }
    }
}
