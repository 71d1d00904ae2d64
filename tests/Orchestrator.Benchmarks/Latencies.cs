namespace Orchestrator.Benchmarks;

/// <summary>
/// Durations, and the span they were measured over. A request that got no answer within the client's timeout
/// (or a refusal) is not left out: it counts as <see cref="Unanswered"/> in every percentile, so that an overloaded
/// service cannot look faster by dropping the slowest requests.
/// </summary>
sealed class Latencies
{
    public static readonly TimeSpan Unanswered = TimeSpan.FromSeconds(30);

    readonly List<TimeSpan> _values = [];

    int _failures;
    int _refused;

    public TimeSpan Elapsed { get; set; }

    /// <summary>Answered ones only.</summary>
    public int Count => _values.Count;
    public int Failures => _failures;
    public double PerSecond => Count / Elapsed.TotalSeconds;

    public void Fail() => Interlocked.Increment(ref _failures);

    /// <summary>A failure the service answered with a refusal (503: too many tasks wait to start).</summary>
    public void Refuse()
    {
        Interlocked.Increment(ref _refused);
        Fail();
    }

    /// <summary>"N unanswered", and how many of them were refusals.</summary>
    public string Failed(string word = "unanswered") =>
        $"{_failures} {word}{(_refused > 0 ? $" ({_refused} of them refused: too many tasks waited to start)" : "")}";

    public void Add(TimeSpan value)
    {
        lock (_values)
            _values.Add(value);
    }

    public TimeSpan Percentile(double p)
    {
        lock (_values)
        {
            var sorted = _values.Concat(Enumerable.Repeat(Unanswered, _failures)).Order().ToList();
            return sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
        }
    }

    /// <summary>The percentile in milliseconds, as the tables print it.</summary>
    public string Ms(double p) => Percentile(p).TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
}
