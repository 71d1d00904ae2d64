namespace Orchestrator.Contracts;

/// <summary>Find the marketplace items worth buying for a theme, with their quoted (HTTP 402) prices.</summary>
public sealed record DiscoverSources(Guid TaskId, string Theme);

/// <summary>The candidate items for a task, each with the price the marketplace asked and its relevance.</summary>
public sealed record SourcesDiscovered(Guid TaskId, IReadOnlyList<SourceQuote> Sources);

/// <summary>A candidate item; <paramref name="Score"/> is its relevance to the theme (0: none).</summary>
public sealed record SourceQuote(int ItemId, string Title, string Company, long Price, double Score);
