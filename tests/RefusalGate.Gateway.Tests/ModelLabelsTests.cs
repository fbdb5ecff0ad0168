using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Tests;

public sealed class ModelLabelsTests
{
    [Fact]
    public void Keeps_the_first_models_and_folds_the_rest_into_other()
    {
        var labels = new ModelLabels(maxModels: 2);

        labels.Label("a").ShouldBe("a");
        labels.Label("b").ShouldBe("b");
        labels.Label("c").ShouldBe(ModelLabels.Other);
        labels.Label("a").ShouldBe("a");
    }
}
