using RefusalGate.Inference.Encoding;

namespace RefusalGate.Inference.Tests.Encoding;

public sealed class LongInputWindowsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(128)]
    public void Up_to_128_tokens_is_one_window_over_everything(int tokens) =>
        LongInputWindows.Plan(tokens).ShouldBe([(0, tokens)]);

    [Fact]
    public void Longer_inputs_use_overlapping_windows_ending_at_the_last_token()
    {
        // Same values as use_lite_torch.long_input_windows(500) in the Python port.
        LongInputWindows.Plan(500).ShouldBe([(0, 128), (96, 128), (192, 128), (288, 128), (372, 128)]);
        LongInputWindows.Plan(129).ShouldBe([(0, 128), (1, 128)]);
    }

    [Fact]
    public void Very_long_inputs_spread_the_window_cap_over_the_whole_text()
    {
        var windows = LongInputWindows.Plan(5000);

        windows.Count.ShouldBe(LongInputWindows.MaxWindows);
        windows[0].ShouldBe((0, 128));
        windows[1].ShouldBe((325, 128));
        windows[2].ShouldBe((650, 128));
        windows[^1].ShouldBe((4872, 128));
    }
}
