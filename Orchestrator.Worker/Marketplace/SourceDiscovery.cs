using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Worker.Analysis;
using Orchestrator.Worker.Hosting;
using Refit;

namespace Orchestrator.Worker.Marketplace;

/// <summary>
/// Finds the candidate items for a theme (the free catalog, or the seed's single item 1 where the marketplace has
/// no catalog), rates their relevance, and asks each one's price the way a buyer meets it: a request without a
/// token, answered 402.
/// </summary>
public sealed class SourceDiscovery(IMarketplaceApi marketplace, ResearchAnalyst analyst, IOptions<WorkflowOptions> options)
{
    static readonly CatalogItem SeedItem = new(1, "Company detail", "Marketplace item 1", null, null);

    public async Task<IReadOnlyList<SourceQuote>> DiscoverAsync(string theme, CancellationToken cancellationToken)
    {
        var candidates = await FindCandidatesAsync(theme, cancellationToken);
        var scores = await analyst.RankAsync(theme, [.. candidates.Select(c => new ResearchAnalyst.Candidate(c.Id, c.Title, c.Company, c.Tags ?? []))], cancellationToken);

        // Nothing stands out (the seed's lone item, say): every candidate weighs the same.
        if (scores.All(score => score <= 0))
            scores = [.. scores.Select(_ => 1.0)];
        var quotes = await Task.WhenAll(candidates.Select((item, i) => QuoteAsync(item, scores[i], cancellationToken)));
        return [.. quotes.OfType<SourceQuote>()];
    }

    async Task<IReadOnlyList<CatalogItem>> FindCandidatesAsync(string theme, CancellationToken cancellationToken)
    {
        var response = await ExternalCall.Run(ErrorTypes.DataError, "Marketplace catalog",
            () => marketplace.SearchCatalog(theme, options.Value.MaxSources, cancellationToken), cancellationToken);

        if (response.Is(HttpStatusCode.NotFound))
            return [SeedItem];
        if (!response.IsSuccessful)
            throw ExternalCall.Unexpected(ErrorTypes.DataError, "Marketplace catalog", response);

        return [.. (response.Content?.Items ?? []).Take(options.Value.MaxSources)];
    }

    async Task<SourceQuote?> QuoteAsync(CatalogItem item, double score, CancellationToken cancellationToken)
    {
        var what = $"Price of marketplace item {item.Id}";
        var response = await ExternalCall.Run(ErrorTypes.DataError, what,
            () => marketplace.GetCompanyDetail(item.Id, paymentToken: null, cancellationToken), cancellationToken);

        if (response.Is(HttpStatusCode.NotFound))
            return null;
        if (!response.Is(HttpStatusCode.PaymentRequired))
            throw ExternalCall.Unexpected(ErrorTypes.DataError, what, response);

        return ReadPrice((response.Error as ApiException)?.Content) is { } price and > 0
            ? new SourceQuote(item.Id, item.Title, item.Company, price, Math.Round(score, 4))
            : throw new ResearchStepException(ErrorTypes.DataError, $"{what}: the marketplace sent no valid price");
    }

    static long? ReadPrice(string? body)
    {
        try
        {
            return body is null ? null : JsonSerializer.Deserialize(body, ExternalApiJsonContext.Default.PriceQuote)?.Price;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
