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

    /// <summary>Added to every <c>POST /pay</c> before it charges, as a slow payment network would.</summary>
    public TimeSpan PaymentLatency { get; set; }

    readonly ConcurrentDictionary<int, int> _paymentsInFlight = new();
    int _mostPaymentsInFlightForOneItem;

    /// <summary>The most <c>POST /pay</c> requests for one item that were in progress at the same moment.</summary>
    public int MostPaymentsInFlightForOneItem => Volatile.Read(ref _mostPaymentsInFlightForOneItem);

    /// <summary>Counts a payment of <paramref name="itemId"/> as in progress until the result is disposed.</summary>
    internal IDisposable PaymentInFlight(int itemId)
    {
        var now = _paymentsInFlight.AddOrUpdate(itemId, 1, (_, count) => count + 1);
        int most;
        while (now > (most = Volatile.Read(ref _mostPaymentsInFlightForOneItem)) &&
               Interlocked.CompareExchange(ref _mostPaymentsInFlightForOneItem, now, most) != most)
        {
        }

        return new Ended(() => _paymentsInFlight.AddOrUpdate(itemId, 0, (_, count) => count - 1));
    }

    sealed class Ended(Action end) : IDisposable
    {
        public void Dispose() => end();
    }

    /// <summary>Probability that any call of either simulator (but /health and /ledger) answers 500 before doing anything.</summary>
    public double FailureRateBeforeEffect { get; set; }

    /// <summary>
    /// Probability that <c>POST /pay</c> charges (or finds the charge under its key already made) and then answers
    /// 500, as a lost response would look.
    /// </summary>
    public double FailureRateAfterEffect { get; set; }

    /// <summary><c>POST /pay</c> answers 503 without charging.</summary>
    public bool PaymentsDown { get; set; }

    /// <summary>Items whose <c>POST /pay</c> answers 409 without charging, as a marketplace refusing the sale would.</summary>
    public IReadOnlySet<int> RefusedPayments { get; set; } = new HashSet<int>();

    /// <summary>Every marketplace route answers 503.</summary>
    public bool MarketplaceOutage { get; set; }

    /// <summary>False: <c>GET /catalog</c> answers 404, as the seed's marketplace (which has none) does.</summary>
    public bool CatalogEnabled { get; set; } = true;

    /// <summary>The hostile marketplace's attacks (<c>Simulators:Hostile</c>); none by default.</summary>
    public Hostility Hostility { get; set; }

    public bool Attacks(Hostility attack) => (Hostility & attack) != 0;

    /// <summary>Where <see cref="Hostility.RedirectPaidRead"/> sends a paid read: the simulators' other listener.</summary>
    public Uri? ElsewhereUrl { get; internal set; }

    readonly ConcurrentQueue<string> _elsewhere = new();

    /// <summary>What reached the other listener: one entry per request, its path and whether it carried a payment token.</summary>
    public IReadOnlyCollection<string> RequestsElsewhere => [.. _elsewhere];

    /// <summary>Requests that reached the other listener with an <c>x-payment-token</c>: there should be none.</summary>
    public int PaymentTokensElsewhere => _elsewhere.Count(r => r.EndsWith(" with a payment token", StringComparison.Ordinal));

    internal void RecordElsewhere(string path, bool withToken) => _elsewhere.Enqueue(withToken ? $"{path} with a payment token" : path);

    /// <summary>The behaviour that configuration asks for: <c>Simulators:Hostile</c>.</summary>
    public static SimulatorBehaviour FromConfiguration(IConfiguration configuration) =>
        new() { Hostility = configuration.GetValue("Simulators:Hostile", Hostility.None) };

    /// <summary>Voice ids the Payment Manager refuses with 403; so is any voice id starting with <c>refused_</c>.</summary>
    public ISet<string> RefusedVoiceIds { get; } = new HashSet<string>(StringComparer.Ordinal) { "refused_voice" };

    internal bool Refuses(string voiceId) =>
        voiceId.StartsWith("refused_", StringComparison.Ordinal) || RefusedVoiceIds.Contains(voiceId);

    internal static bool Happens(double probability) => probability > 0 && Random.Shared.NextDouble() < probability;
}
