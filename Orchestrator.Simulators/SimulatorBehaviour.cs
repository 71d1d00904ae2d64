using System.Collections.Concurrent;

namespace Orchestrator.Simulators;

/// <summary>How the simulators misbehave; tests change it while they run.</summary>
public sealed class SimulatorBehaviour
{
    readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);

    /// <summary>How many requests each path (such as <c>/pay</c>) has received, whatever the answer.</summary>
    public int RequestsTo(string path) => _requests.GetValueOrDefault(path);

    internal void Count(string path) => _requests.AddOrUpdate(path, 1, (_, count) => count + 1);

    /// <summary>Added before every answer of both simulators.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Probability that any call of either simulator (but /health and /ledger) answers 500 before doing anything.</summary>
    public double FailureRateBeforeEffect { get; set; }

    /// <summary>
    /// Probability that <c>POST /pay</c> charges (or finds the charge under its key already made) and then answers
    /// 500, as a lost response would look.
    /// </summary>
    public double FailureRateAfterEffect { get; set; }

    /// <summary><c>POST /pay</c> answers 503 without charging.</summary>
    public bool PaymentsDown { get; set; }

    /// <summary>Every marketplace route answers 503.</summary>
    public bool MarketplaceOutage { get; set; }

    /// <summary>False: <c>GET /catalog</c> answers 404, as the seed's marketplace (which has none) does.</summary>
    public bool CatalogEnabled { get; set; } = true;

    /// <summary>Voice ids the Payment Manager refuses with 403; so is any voice id starting with <c>refused_</c>.</summary>
    public ISet<string> RefusedVoiceIds { get; } = new HashSet<string>(StringComparer.Ordinal) { "refused_voice" };

    internal bool Refuses(string voiceId) =>
        voiceId.StartsWith("refused_", StringComparison.Ordinal) || RefusedVoiceIds.Contains(voiceId);

    internal static bool Happens(double probability) => probability > 0 && Random.Shared.NextDouble() < probability;
}
