namespace Orchestrator.Contracts;

/// <summary>Find the marketplace items worth buying for a theme, with their quoted (HTTP 402) prices.</summary>
public sealed record DiscoverSources(Guid TaskId, string Theme);

/// <summary>
/// The candidate items for a task, each with the price the marketplace asked and its relevance, and the items
/// left out because the marketplace's answer about them could not be trusted (<paramref name="Skipped"/>).
/// <paramref name="Owned"/>: candidates the task's owner bought from this marketplace (<paramref name="Marketplace"/>)
/// recently enough to read again instead of paying twice (<c>Purchases:ReuseFor</c>).
/// </summary>
public sealed record SourcesDiscovered(
    Guid TaskId,
    IReadOnlyList<SourceQuote> Sources,
    IReadOnlyList<SkippedSource>? Skipped = null,
    IReadOnlyList<OwnedSource>? Owned = null,
    string? Marketplace = null);

/// <summary>
/// A candidate item; <paramref name="Score"/> is its relevance to the theme (0: none). <paramref name="X402Amount"/>:
/// for an item sold over x402, the amount quoted in the token's atomic units (a decimal string), which no payment may
/// exceed; null for the seed's dialect (<c>{"price"}</c>, <c>/pay</c> with the Payment Manager's token).
/// </summary>
public sealed record SourceQuote(int ItemId, string Title, string Company, long Price, double Score, string? X402Amount = null);

/// <summary>A candidate item that cannot be bought, and why: no valid price, a redirect, an answer over the size cap...</summary>
public sealed record SkippedSource(int ItemId, string Title, string Company, string Reason);

/// <summary>
/// An item the owner bought before: in task <paramref name="BoughtIn"/> at <paramref name="PaidAt"/>, with the data it
/// delivered and what the seller returned for the payment (<paramref name="Reference"/>).
/// </summary>
public sealed record OwnedSource(int ItemId, Guid BoughtIn, DateTime PaidAt, string Data, string? Reference, string? DataSha256);
