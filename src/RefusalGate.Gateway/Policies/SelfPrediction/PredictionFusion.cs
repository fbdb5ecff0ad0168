using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.Policies.Model;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Policies.SelfPrediction;

/// <summary>
/// Combines the classifier's and the model's own refusal probability in logit space (see <see cref="FusionSettings"/>).
/// As an outcome sink it also learns: every scored request that had both predictions becomes a sample, and per model
/// the weights are refitted (L2-regularised logistic regression, shrunk toward the configured weights) so the fusion
/// trusts whichever source has proved more reliable for that model.
/// </summary>
public sealed class PredictionFusion : IOutcomeSink
{
    /// <summary>Samples kept per model (the most recent ones).</summary>
    public const int MaxSamplesPerModel = 5000;

    private const double Epsilon = 1e-4;

    private readonly ModelLabels _models = new(maxModels: 50);
    private readonly Dictionary<string, ModelSamples> _samples = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The fused probability of refusal.</summary>
    public double Combine(string model, double classifierProbability, double selfProbability, FusionSettings settings)
    {
        var (bias, wc, ws) = WeightsFor(model, settings);
        var z = bias + (wc * Logit(classifierProbability)) + (ws * Logit(selfProbability));
        return Logistic.Sigmoid(z);
    }

    /// <summary>The weights in force for a model: fitted ones once enough samples are in (and fitting is on), else configured.</summary>
    public (double Bias, double ClassifierWeight, double SelfWeight) WeightsFor(string model, FusionSettings settings)
    {
        if (settings.Fit)
        {
            lock (_lock)
            {
                if (_samples.TryGetValue(_models.Label(model), out var samples) && samples.Fitted is { } fitted && samples.FittedOn >= settings.MinSamples)
                {
                    return fitted;
                }
            }
        }

        return (settings.Bias, settings.ClassifierWeight, settings.SelfWeight);
    }

    public ValueTask WriteAsync(RequestOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome is { Prediction: { } prediction, SelfPrediction.RefusalProbability: { } self } && outcome.Observed.IsScorable())
        {
            Add(outcome.Model, prediction.RefusalProbability, self, outcome.Observed.IsRefusal());
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Adds a scored case and refits the model's weights when its sample has grown by a tenth (or 20 cases). The fit
    /// runs on a copy, outside the lock that <see cref="WeightsFor"/> takes on the request path.
    /// </summary>
    public void Add(string model, double classifierProbability, double selfProbability, bool refused)
    {
        ModelSamples samples;
        double[][] features;
        bool[] outcomes;
        lock (_lock)
        {
            var label = _models.Label(model);
            if (!_samples.TryGetValue(label, out samples!))
            {
                _samples[label] = samples = new ModelSamples();
            }

            samples.Add(Logit(classifierProbability), Logit(selfProbability), refused ? 1 : 0);
            if (samples.Fitting || samples.Added < samples.AddedAtFit + Math.Max(20, samples.Count / 10))
            {
                return;
            }

            samples.Fitting = true;
            samples.AddedAtFit = samples.Added;
            (features, outcomes) = samples.Snapshot();
        }

        try
        {
            var fitted = Fit(features, outcomes, FusionSettings.Default);
            lock (_lock)
            {
                samples.Fitted = fitted;
                samples.FittedOn = features.Length;
            }
        }
        finally
        {
            lock (_lock)
            {
                samples.Fitting = false;
            }
        }
    }

    /// <summary>
    /// Penalised logistic regression on (1, logit p_classifier, logit p_self); the penalty pulls toward the prior weights
    /// so that a small or separable sample cannot produce wild weights.
    /// </summary>
    private static (double, double, double) Fit(double[][] features, bool[] refused, FusionSettings prior, double penalty = 1.0)
    {
        var w = PenalizedLogisticFit.Fit(features, refused, [prior.Bias, prior.ClassifierWeight, prior.SelfWeight], penalty);
        return (w[0], w[1], w[2]);
    }

    private static double Logit(double p) => Logistic.Logit(p, Epsilon);

    /// <summary>A ring of the most recent samples of one model.</summary>
    private sealed class ModelSamples
    {
        private readonly (double Classifier, double Self, double Refused)[] _ring = new (double, double, double)[MaxSamplesPerModel];
        private int _next;

        public int Count { get; private set; }

        /// <summary>Samples ever added (the ring keeps the last <see cref="MaxSamplesPerModel"/>).</summary>
        public long Added { get; private set; }

        public long AddedAtFit { get; set; }

        /// <summary>How many samples the current fit used.</summary>
        public int FittedOn { get; set; }

        public (double, double, double)? Fitted { get; set; }

        /// <summary>True while a fit of this model runs outside the lock.</summary>
        public bool Fitting { get; set; }

        /// <summary>The kept samples as fit input: (1, logit p_classifier, logit p_self) and the outcome.</summary>
        public (double[][] Features, bool[] Refused) Snapshot()
        {
            var features = new double[Count][];
            var refused = new bool[Count];
            for (var i = 0; i < Count; i++)
            {
                var (classifier, self, outcome) = _ring[i];
                features[i] = [1, classifier, self];
                refused[i] = outcome > 0.5;
            }

            return (features, refused);
        }

        public void Add(double classifier, double self, double refused)
        {
            _ring[_next] = (classifier, self, refused);
            _next = (_next + 1) % _ring.Length;
            Count = Math.Min(Count + 1, _ring.Length);
            Added++;
        }
    }
}
