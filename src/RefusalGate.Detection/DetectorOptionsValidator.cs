using Microsoft.Extensions.Options;
using RefusalGate.Detection.Model;

namespace RefusalGate.Detection;

/// <summary>
/// Fails start-up (with ValidateOnStart) when the detector's files are missing or altered, with the message
/// that names the file and the fix, instead of failing on the first response.
/// </summary>
internal sealed class DetectorOptionsValidator : IValidateOptions<DetectorOptions>
{
    public ValidateOptionsResult Validate(string? name, DetectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ModelDirectory))
        {
            return ValidateOptionsResult.Fail($"{DetectorOptions.SectionName}:ModelDirectory must name the detector model folder (onnx-models/detector).");
        }

        try
        {
            DetectorModelFiles.Open(options.ModelDirectory);
            return ValidateOptionsResult.Success;
        }
        catch (DetectorModelException exception)
        {
            return ValidateOptionsResult.Fail(exception.Message);
        }
    }
}
