namespace Orchestrator.Contracts;

/// <summary>Find the marketplace items worth buying for a theme, with their quoted (HTTP 402) prices.</summary>
public sealed record DiscoverSources(Guid TaskId, string Theme, int Budget);

/// <summary>The candidate items for a task, most relevant first, each with the price the marketplace asked.</summary>
public sealed record SourcesDiscovered(Guid TaskId, IReadOnlyList<SourceQuote> Sources);

public sealed record SourceQuote(int ItemId, string Title, string Company, int Price);
