namespace RefusalGate.Gateway.Observation;

/// <summary>
/// What was read of a JSON body longer than its copy, all of it, as it passed (<see cref="ForwardJsonReader"/>): the
/// members the judge reads (<see cref="JsonShape"/>, without the text, which is read from the copy) as a small JSON
/// document, or null when the body was not one whole, valid JSON document.
/// </summary>
internal sealed record BodyTail(byte[]? KeptMembers);
