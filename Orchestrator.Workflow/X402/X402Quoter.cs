using System.Collections.Frozen;
using System.Numerics;
using System.Text.Json;
using Orchestrator.Workflow.Marketplace;

namespace Orchestrator.Workflow.X402;

/// <summary>
/// One acceptable way to pay: an <c>exact</c> EIP-3009 payment of <see cref="Amount"/> atomic units of
/// <see cref="Asset"/> to <see cref="PayTo"/> on <see cref="Network"/>, worth <see cref="Price"/> budget units.
/// <see cref="Network"/> is CAIP-2 (a v1 network name is translated); <see cref="Accepted"/> is the seller's entry
/// as it sent it (v2 echoes it in the payment, v1 its network name).
/// </summary>
public sealed record X402Offer(
    int X402Version,
    string Scheme,
    string Network,
    long ChainId,
    string Asset,
    string PayTo,
    BigInteger Amount,
    long MaxTimeoutSeconds,
    string TokenName,
    string TokenVersion,
    long Price,
    JsonElement Accepted,
    JsonElement? Resource,
    JsonElement? Extensions);

/// <summary>A quote: the offer to pay, or why none of the seller's could be.</summary>
public sealed record X402Quote(X402Offer? Offer, string? Reason)
{
    public bool IsAcceptable => Offer is not null;
}

/// <summary>
/// Chooses what to pay from a seller's <c>accepts</c>: only <c>exact</c> entries on an allowed network
/// (<c>X402:Networks</c>) in an allowed token (<c>X402:Assets</c>), with a usable amount, payee, timeout and EIP-712
/// domain; of those, the cheapest. Its price in budget units is the amount divided by
/// <c>X402:AtomicUnitsPerBudgetUnit</c>, rounded up.
/// </summary>
public sealed class X402Quoter
{
    public const string Scheme = "exact";

    /// <summary>A longer validity than this (a day) is absurd for one purchase and refused.</summary>
    public const long MaxTimeoutSecondsAllowed = 24 * 60 * 60;

    /// <summary>How much of a refused offer's text goes into a reason.</summary>
    const int MaxReasonOffers = 4;
    const int MaxReasonValueLength = 66;

    /// <summary>x402 v1's network names (@x402/evm 2.27's EVM_NETWORK_CHAIN_ID_MAP), as chain ids.</summary>
    static readonly FrozenDictionary<string, long> V1Networks = new Dictionary<string, long>
    {
        ["ethereum"] = 1,
        ["sepolia"] = 11155111,
        ["base"] = 8453,
        ["base-sepolia"] = 84532,
        ["polygon"] = 137,
        ["polygon-amoy"] = 80002,
        ["avalanche"] = 43114,
        ["avalanche-fuji"] = 43113,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    readonly FrozenSet<string> _networks;
    readonly FrozenSet<string> _assets;
    readonly BigInteger _atomicUnitsPerBudgetUnit;

    public X402Quoter(X402Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _networks = options.NetworkList.ToFrozenSet(StringComparer.Ordinal);
        _assets = options.AssetList.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _atomicUnitsPerBudgetUnit = options.AtomicUnitsPerBudgetUnit > 0
            ? options.AtomicUnitsPerBudgetUnit
            : throw new ArgumentOutOfRangeException(nameof(options), "AtomicUnitsPerBudgetUnit must be positive");
    }

    public X402Quote Quote(X402Challenge challenge)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        if (challenge.Dialect is not (X402Dialect.V1 or X402Dialect.V2))
            return new X402Quote(null, challenge.Reason ?? "not an x402 answer");

        var offers = new List<X402Offer>();
        var refused = new List<string>();
        foreach (var entry in challenge.Accepts)
        {
            if (Read(entry, challenge) is { } offer)
                offers.Add(offer);
            else
                refused.Add(Describe(entry, challenge.Dialect));
        }

        if (offers.Count == 0)
            return new X402Quote(null, $"no acceptable x402 network/asset: {string.Join("; ", refused.Take(MaxReasonOffers))}{(refused.Count > MaxReasonOffers ? "; …" : "")}");
        return new X402Quote(offers.MinBy(o => o.Amount), null);
    }

    /// <summary>The price in budget units of <paramref name="amount"/> atomic units: rounded up, or null when a 64-bit price cannot hold it.</summary>
    public long? BudgetUnits(BigInteger amount)
    {
        if (amount.Sign <= 0)
            return null;
        var units = BigInteger.DivRem(amount, _atomicUnitsPerBudgetUnit, out var remainder) + (remainder.IsZero ? 0 : 1);
        return units <= long.MaxValue ? (long)units : null;
    }

    X402Offer? Read(JsonElement entry, X402Challenge challenge)
    {
        var v1 = challenge.Dialect == X402Dialect.V1;
        if (Requirements(entry, v1) is not { } requirements)
            return null;
        var (scheme, network, amountText, asset, payTo, timeout, extra) = requirements;
        if (scheme != Scheme)
            return null;
        if (!TryNetwork(network, v1, out var caip2, out var chainId) || !_networks.Contains(caip2))
            return null;
        if (!EvmAddress.IsValid(asset) || !_assets.Contains(asset!) || !EvmAddress.IsValid(payTo))
            return null;
        if (!AtomicAmount.TryParse(amountText, out var amount) || BudgetUnits(amount) is not { } price)
            return null;
        if (timeout is not { } seconds || seconds is <= 0 or > MaxTimeoutSecondsAllowed)
            return null;
        if (extra?.Name is not { Length: > 0 and <= 256 } name || extra.Version is not { Length: > 0 and <= 64 } version)
            return null;

        return new X402Offer(v1 ? 1 : 2, Scheme, caip2, chainId, asset!, payTo!, amount, seconds, name, version, price,
            entry, challenge.Resource, challenge.Extensions);
    }

    /// <summary>An entry read as the wire's requirements (v1's or v2's), or null when a member has the wrong type.</summary>
    static (string? Scheme, string? Network, string? Amount, string? Asset, string? PayTo, long? MaxTimeoutSeconds, PaymentExtra? Extra)? Requirements(JsonElement entry, bool v1)
    {
        try
        {
            if (v1)
            {
                var r1 = entry.Deserialize(X402JsonContext.Default.PaymentRequirementsV1);
                return r1 is null ? null : (r1.Scheme, r1.Network, r1.MaxAmountRequired, r1.Asset, r1.PayTo, r1.MaxTimeoutSeconds, r1.Extra);
            }

            var r2 = entry.Deserialize(X402JsonContext.Default.PaymentRequirementsV2);
            return r2 is null ? null : (r2.Scheme, r2.Network, r2.Amount, r2.Asset, r2.PayTo, r2.MaxTimeoutSeconds, r2.Extra);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static bool TryNetwork(string? network, bool v1, out string caip2, out long chainId)
    {
        caip2 = network ?? "";
        if (Caip2.TryChainId(network, out chainId))
            return true;
        if (v1 && network is not null && V1Networks.TryGetValue(network, out chainId))
        {
            caip2 = $"eip155:{chainId}";
            return true;
        }

        return false;
    }

    static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A refused entry in a reason: its scheme, network, asset and amount, as untrusted text, cut short.</summary>
    static string Describe(JsonElement entry, X402Dialect dialect) =>
        string.Join(" ", new[] { "scheme", "network", "asset", dialect == X402Dialect.V1 ? "maxAmountRequired" : "amount" }
            .Select(name => $"{name}={Shown(entry, name)}"));

    static string Shown(JsonElement entry, string name) =>
        Text(entry, name) is { } text ? UntrustedText.Clean(text, MaxReasonValueLength) is { Length: > 0 } clean ? clean : "\"\"" : "?";
}
