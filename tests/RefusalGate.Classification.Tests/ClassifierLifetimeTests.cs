using Microsoft.Extensions.DependencyInjection;

namespace RefusalGate.Classification.Tests;

/// <summary>The classifier owns a background batcher for its head; once disposed it must not leave callers waiting.</summary>
public sealed class ClassifierLifetimeTests
{
    [Fact]
    public async Task A_disposed_classifier_refuses_new_work_instead_of_hanging()
    {
        await using var provider = ClassifierFixture.BuildProvider();
        var classifier = provider.GetRequiredService<OnnxPromptClassifier>();
        await classifier.DisposeAsync();

        await Should.ThrowAsync<ObjectDisposedException>(async () => await classifier.ClassifyAsync("Hello", CancellationToken.None));
    }
}
