using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using OrtElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace RefusalGate.Inference.Runtime;

/// <summary>
/// <see cref="IInferenceSession"/> over the official Microsoft.ML.OnnxRuntime package: one
/// <see cref="InferenceSession"/> per model, shared by all callers (ONNX Runtime allows concurrent runs).
/// </summary>
/// <remarks>
/// Tensors are OrtValues over the callers' (pooled) buffers, pinned for the duration of the run, so
/// inputs and outputs are never copied. A CUDA request that the runtime cannot satisfy (the CPU package
/// has no CUDA provider, or no driver) logs one warning and continues on CPU; <see cref="ExecutionProvider"/>
/// reports what is in use.
/// </remarks>
public sealed class OnnxRuntimeSession : IInferenceSession
{
    public const string CpuProvider = "CPU";
    public const string CudaProvider = "CUDA";

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    // Runs in flight, and whether Dispose has begun. Releasing the native session while a run uses it crashes the
    // process (SIGSEGV): a host that fails to start disposes its services while the warm-up still runs on a pool thread.
    private int _activeRuns;
    private int _disposed;

    // ONNX Runtime's telemetry events are on by default; a gateway sends nothing anywhere it was not configured to
    // (and on a read-only root filesystem the runtime's attempt to persist a telemetry device id only logs a warning).
    static OnnxRuntimeSession() => OrtEnv.Instance().DisableTelemetryEvents();

    public OnnxRuntimeSession(string modelPath, InferenceSessionSettings settings, ILogger logger, string buildHint)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(logger);
        ModelFileNotFoundException.ThrowIfMissing(modelPath, buildHint);
        ModelPath = Path.GetFullPath(modelPath);

        var (options, provider) = CreateOptions(settings, logger, ModelPath);
        using (options)
        {
            _session = new InferenceSession(ModelPath, options);
        }

        ExecutionProvider = provider;
        Inputs = _session.InputMetadata.Select(m => ToMetadata(m.Key, m.Value)).ToArray();
        Outputs = _session.OutputMetadata.Select(m => ToMetadata(m.Key, m.Value)).ToArray();
        RuntimeLog.SessionLoaded(logger, ModelPath, provider, settings.IntraOpThreads, settings.InterOpThreads);
    }

    public string ModelPath { get; }

    public string ExecutionProvider { get; }

    public IReadOnlyList<TensorMetadata> Inputs { get; }

    public IReadOnlyList<TensorMetadata> Outputs { get; }

    public void Run(ReadOnlySpan<TensorBinding> inputs, ReadOnlySpan<TensorBinding> outputs)
    {
        // Counted before the check, so Dispose either sees this run and waits for it, or this run sees Dispose.
        Interlocked.Increment(ref _activeRuns);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            RunCore(inputs, outputs);
        }
        finally
        {
            Interlocked.Decrement(ref _activeRuns);
        }
    }

    private void RunCore(ReadOnlySpan<TensorBinding> inputs, ReadOnlySpan<TensorBinding> outputs)
    {
        var inputNames = new string[inputs.Length];
        var outputNames = new string[outputs.Length];
        var inputValues = new OrtValue[inputs.Length];
        var outputValues = new OrtValue[outputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                inputNames[i] = inputs[i].Name;
                inputValues[i] = ToOrtValue(inputs[i]);
            }

            for (var i = 0; i < outputs.Length; i++)
            {
                outputNames[i] = outputs[i].Name;
                outputValues[i] = ToOrtValue(outputs[i]);
            }

            _session.Run(_runOptions, inputNames, inputValues, outputNames, outputValues);
        }
        finally
        {
            foreach (var value in inputValues)
            {
                value?.Dispose();
            }

            foreach (var value in outputValues)
            {
                value?.Dispose();
            }
        }
    }

    /// <summary>Waits for the runs in flight (a batch takes milliseconds); later runs throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        SpinWait.SpinUntil(() => Volatile.Read(ref _activeRuns) == 0);
        _session.Dispose();
        _runOptions.Dispose();
    }

    private static (SessionOptions Options, string Provider) CreateOptions(InferenceSessionSettings settings, ILogger logger, string modelPath)
    {
        var options = NewCpuOptions(settings);
        if (settings.Provider != ExecutionProviderPreference.Cuda)
        {
            return (options, CpuProvider);
        }

        try
        {
            options.AppendExecutionProvider_CUDA(settings.CudaDeviceId);
            return (options, CudaProvider);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            options.Dispose();
            RuntimeLog.CudaFallback(logger, modelPath, FirstLine(e.Message));
            return (NewCpuOptions(settings), CpuProvider);
        }
    }

    private static SessionOptions NewCpuOptions(InferenceSessionSettings settings) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        IntraOpNumThreads = settings.IntraOpThreads,
        InterOpNumThreads = settings.InterOpThreads,
        // The fallback is reported once through our logger; ONNX Runtime's own console lines would repeat it.
        LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
    };

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    private static OrtValue ToOrtValue(in TensorBinding binding) => binding.Kind switch
    {
        TensorElementKind.FloatingPoint32 => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, binding.Floats, binding.Shape),
        TensorElementKind.SignedInteger64 => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, binding.Longs, binding.Shape),
        _ => throw new NotSupportedException($"Tensor '{binding.Name}' has an unsupported element type."),
    };

    private static TensorMetadata ToMetadata(string name, NodeMetadata metadata)
    {
        var kind = metadata.IsTensor
            ? metadata.ElementDataType switch
            {
                OrtElementType.Float => TensorElementKind.FloatingPoint32,
                OrtElementType.Int64 => TensorElementKind.SignedInteger64,
                _ => TensorElementKind.Other,
            }
            : TensorElementKind.Other;
        var shape = metadata.IsTensor ? metadata.Dimensions.Select(d => (long)d).ToArray() : [];
        return new TensorMetadata(name, kind, shape);
    }
}
