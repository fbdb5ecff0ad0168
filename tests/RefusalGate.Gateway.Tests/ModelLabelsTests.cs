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

    [Fact]
    public void A_model_name_too_long_for_a_label_shares_other_and_takes_no_place()
    {
        var labels = new ModelLabels(maxModels: 1);
        var longest = new string('m', ModelLabels.MaxLength);

        // Every series of such a model would repeat the name: a client's 200 kB name made /metrics 66 MB.
        labels.Label(longest + "x").ShouldBe(ModelLabels.Other);
        labels.Label(new string('x', 200_000)).ShouldBe(ModelLabels.Other);
        labels.Label(longest).ShouldBe(longest);
    }

    [Fact]
    public void Client_models_named_like_the_reserved_rows_keep_a_row_of_their_own()
    {
        var labels = new ModelLabels(maxModels: 2);

        labels.Label("all").ShouldBe("model:all");
        labels.Label("other").ShouldBe("model:other");
        labels.Label("third").ShouldBe(ModelLabels.Other);
    }

    [Fact]
    public void A_record_of_a_model_named_all_is_counted_once_in_the_all_row()
    {
        var table = new RefusalGate.Gateway.Calibration.CalibrationTable(0.9);

        table.Add(new("classifier", ModelLabels.Escape("all"), "none", 0.2, false, 0.8, false));

        table.Counts[new("classifier", "all", "all")].Total.ShouldBe(1);
        table.Counts[new("classifier", "model:all", "all")].Total.ShouldBe(1);
    }
}
