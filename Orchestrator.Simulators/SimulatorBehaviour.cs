using System.Collections.Concurrent;
using System.Globalization;
using Nethereum.Util;

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

    /// <summary>Where <see cref="Hostility.RedirectPaidFetch"/> sends a paid read: the simulators' other listener.</summary>
    public Uri? ElsewhereUrl { get; internal set; }

    readonly ConcurrentQueue<string> _elsewhere = new();

    /// <summary>What reached the other listener: one entry per request, its path and whether it carried a payment token.</summary>
    public IReadOnlyCollection<string> RequestsElsewhere => [.. _elsewhere];

    /// <summary>Requests that reached the other listener with an <c>x-payment-token</c>: there should be none.</summary>
    public int PaymentTokensElsewhere => _elsewhere.Count(r => r.EndsWith(" with a payment token", StringComparison.Ordinal));

    internal void RecordElsewhere(string path, bool withToken) => _elsewhere.Enqueue(withToken ? $"{path} with a payment token" : path);

    /// <summary>
    /// Items sold over x402 v2 (<c>Simulators:X402Items</c>, comma-separated ids) instead of the seed's
    /// <c>{price}</c> dialect; none by default.
    /// </summary>
    public IReadOnlySet<int> X402Items { get; set; } = new HashSet<int>();

    /// <summary>The default <see cref="X402PayTo"/>: the x402 test seller's address.</summary>
    public const string DefaultX402PayTo = "0x5E11e4000000000000000000000000000000a402";

    string _x402PayTo = DefaultX402PayTo;

    /// <summary>The seller's address x402 items are paid to (<c>Simulators:X402PayTo</c>), kept EIP-55 checksummed.</summary>
    public string X402PayTo
    {
        get => _x402PayTo;
        set => _x402PayTo = AddressUtil.Current.IsValidEthereumAddressHexFormat(value)
            ? AddressUtil.Current.ConvertToChecksumAddress(value)
            : throw new ArgumentException("The x402 payee must be a 0x address of 20 bytes.", nameof(value));
    }

    /// <summary>
    /// The behaviour that configuration asks for: <c>Simulators:Hostile</c>, <c>Simulators:X402Items</c> and
    /// <c>Simulators:X402PayTo</c>.
    /// </summary>
    public static SimulatorBehaviour FromConfiguration(IConfiguration configuration)
    {
        var behaviour = new SimulatorBehaviour
        {
            Hostility = configuration.GetValue("Simulators:Hostile", Hostility.None),
            X402Items = ItemIds(configuration["Simulators:X402Items"]),
        };
        if (configuration["Simulators:X402PayTo"] is { Length: > 0 } payTo)
            behaviour.X402PayTo = payTo;
        return behaviour;
    }

    static HashSet<int> ItemIds(string? list) =>
        [.. (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(id =>
            int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var itemId) ? itemId
            : throw new FormatException($"Simulators:X402Items must be comma-separated item ids, not '{id}'."))];

    /// <summary>Voice ids the Payment Manager refuses with 403; so is any voice id starting with <c>refused_</c>.</summary>
    public ISet<string> RefusedVoiceIds { get; } = new HashSet<string>(StringComparer.Ordinal) { "refused_voice" };

    internal bool Refuses(string voiceId) =>
        voiceId.StartsWith("refused_", StringComparison.Ordinal) || RefusedVoiceIds.Contains(voiceId);

    internal static bool Happens(double probability) => probability > 0 && Random.Shared.NextDouble() < probability;
}
