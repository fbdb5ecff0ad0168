using RefusalGate.Detection.Model;

namespace RefusalGate.Detection.Tests;

public sealed class RefusalKindLabelsTests
{
    [Fact]
    public void Labels_follow_the_manifest_order()
    {
        var manifest = DetectorModelFiles.Open(RepositoryFiles.DetectorDirectory).Manifest;

        Enum.GetValues<RefusalKind>().Select(k => k.ToLabel()).ShouldBe(manifest.Kinds);
    }
}
