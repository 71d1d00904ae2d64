using System.Globalization;
using System.Net;
using System.Text.Json;
using Orchestrator.Workflow.Analysis;
using Orchestrator.Workflow.Marketplace;
using Orchestrator.Workflow.X402;
using Refit;

namespace Orchestrator.Workflow.Discovery;

/// <summary>
/// Finds the candidate items for a theme (the free catalog, or the seed's single item 1 where the marketplace has
/// no catalog), rates their relevance, and asks each one's price the way a buyer meets it: a request without a
/// token, answered 402. Everything the marketplace says is untrusted: its text is cleaned and cut
/// (<see cref="UntrustedText"/>), and an item it answers about wrongly (no valid price, 200 without payment, a
/// redirect, a body over the cap) is skipped with the reason, not allowed to fail the task. Only a marketplace
/// that answers about none of the candidates (it is down, or hangs) fails the step. A 402 may be the seed's
/// <c>{"price"}</c> or x402's (v2's <c>PAYMENT-REQUIRED</c> header, v1's body): an x402 item is quoted by
/// <see cref="X402Quoter"/>, and skipped when none of its offers is acceptable or no wallet can pay it.
/// </summary>
public sealed class SourceDiscovery(
    IMarketplaceApi marketplace,
    ResearchAnalyst analyst,
    X402Quoter quoter,
    IOptions<WorkflowOptions> options,
    IX402Signer? wallet = null)
{
    public sealed record Result(IReadOnlyList<SourceQuote> Quotes, IReadOnlyList<SkippedSource> Skipped);

    sealed record CatalogItem(int Id, string Title, string Company, IReadOnlyList<string> Tags);

    /// <summary>What the price request of one item came to: a quote, a reason to skip it, or nothing (404).</summary>
    sealed record Outcome(CatalogItem Item, SourceQuote? Quote = null, ResearchStepException? Failure = null);

    /// <summary>What the purchase table keeps of a reason.</summary>
    public const int MaxReasonLength = 500;

    static readonly CatalogItem SeedItem = new(1, "Company detail", "Marketplace item 1", []);

    public async Task<Result> DiscoverAsync(string theme, CancellationToken cancellationToken)
    {
        var candidates = await FindCandidatesAsync(theme, cancellationToken);
        var scores = await analyst.RankAsync(theme, [.. candidates.Select(c => new ResearchAnalyst.Candidate(c.Id, c.Title, c.Company, c.Tags))], cancellationToken);

        // Nothing stands out (the seed's lone item, say): every candidate weighs the same.
        if (scores.All(score => score <= 0))
            scores = [.. scores.Select(_ => 1.0)];
        var outcomes = await Task.WhenAll(candidates.Select((item, i) => QuoteAsync(item, scores[i], cancellationToken)));

        var failures = outcomes.Select(o => o.Failure).OfType<ResearchStepException>().ToList();
        if (failures.Count > 0 && failures.Count == outcomes.Length && failures.All(f => f.Transient))
            throw failures[0];

        return new Result(
            [.. outcomes.Select(o => o.Quote).OfType<SourceQuote>()],
            [.. outcomes.Where(o => o.Failure is not null).Select(o => new SkippedSource(o.Item.Id, o.Item.Title, o.Item.Company, UntrustedText.Clean(o.Failure!.Message, MaxReasonLength)))]);
    }

    async Task<IReadOnlyList<CatalogItem>> FindCandidatesAsync(string theme, CancellationToken cancellationToken)
    {
        var response = await ExternalCall.Run(ErrorTypes.DataError, "Marketplace catalog",
            () => marketplace.SearchCatalog(theme, options.Value.MaxSources, cancellationToken), cancellationToken);

        if (response.Is(HttpStatusCode.NotFound))
            return [SeedItem];
        if (!response.IsSuccessful)
            throw ExternalCall.Unexpected(ErrorTypes.DataError, "Marketplace catalog", response);

        return [.. ReadCatalog(response.Content).DistinctBy(item => item.Id).Take(options.Value.MaxSources)];
    }

    /// <summary>
    /// The catalog's items, read one by one: an item without a positive integer id cannot be priced or bought and
    /// is passed over; text is cleaned and cut; a price in the catalog is ignored (the 402 answer is the price).
    /// </summary>
    static IEnumerable<CatalogItem> ReadCatalog(JsonElement page)
    {
        if (Property(page, "items") is not { ValueKind: JsonValueKind.Array } items)
            yield break;

        foreach (var item in items.EnumerateArray())
        {
            if (Property(item, "id") is not { ValueKind: JsonValueKind.Number } id || !id.TryGetInt32(out var itemId) || itemId <= 0)
                continue;

            var tags = Property(item, "tags") is { ValueKind: JsonValueKind.Array } list
                ? list.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String)
                    .Select(t => UntrustedText.Clean(UntrustedText.StringOf(t), UntrustedText.MaxTagLength)).Where(t => t.Length > 0)
                    .Take(UntrustedText.MaxTags).ToList()
                : [];
            yield return new CatalogItem(itemId, Text(item, "title"), Text(item, "company"), tags);
        }
    }

    async Task<Outcome> QuoteAsync(CatalogItem item, double score, CancellationToken cancellationToken)
    {
        var what = $"Price of marketplace item {item.Id}";
        IApiResponse<JsonElement> response;
        try
        {
            response = await ExternalCall.Run(ErrorTypes.DataError, what,
                () => marketplace.GetCompanyDetail(item.Id, paymentToken: null, cancellationToken), cancellationToken);
        }
        catch (ResearchStepException e)
        {
            return new Outcome(item, Failure: e);
        }

        if (response.Is(HttpStatusCode.NotFound))
            return new Outcome(item);
        if (response.Is(HttpStatusCode.OK))
            return Skip(item, $"{what}: the marketplace answered 200 without payment, so it quoted no price");
        if (!response.Is(HttpStatusCode.PaymentRequired))
            return new Outcome(item, Failure: ExternalCall.Unexpected(ErrorTypes.DataError, what, response));

        var challenge = PaymentRequiredParser.Parse(response);
        if (challenge.Dialect != X402Dialect.NotX402)
            return QuoteX402(item, score, challenge, what);

        var (price, problem) = ReadPrice((response.Error as ApiException)?.Content);
        return price is { } valid
            ? new Outcome(item, new SourceQuote(item.Id, item.Title, item.Company, valid, Math.Round(score, 4)))
            : Skip(item, $"{what}: {problem}");
    }

    Outcome QuoteX402(CatalogItem item, double score, X402Challenge challenge, string what)
    {
        var quote = quoter.Quote(challenge);
        if (quote.Offer is not { } offer)
            return Skip(item, $"{what}: {quote.Reason}");
        if (wallet is null)
            return Skip(item, $"{what}: {X402Purchases.WalletMissing}");
        return new Outcome(item, new SourceQuote(item.Id, item.Title, item.Company, offer.Price, Math.Round(score, 4), AtomicAmount.Format(offer.Amount)));
    }

    static Outcome Skip(CatalogItem item, string reason) => new(item, Failure: new ResearchStepException(ErrorTypes.DataError, reason));

    /// <summary>The price of a 402 answer <c>{"price": n}</c>: a positive whole number, or why there is none.</summary>
    static (long? Price, string? Problem) ReadPrice(string? body)
    {
        const string NoJsonPrice = "the marketplace answered 402 without a JSON price";
        try
        {
            using var json = JsonDocument.Parse(body ?? "");
            return Property(json.RootElement, "price") switch
            {
                null => (null, NoJsonPrice),
                { ValueKind: JsonValueKind.Number } price when price.TryGetInt64(out var value) && value > 0 => (value, null),
                { } price => (null, string.Create(CultureInfo.InvariantCulture,
                    $"the marketplace asked a price of {UntrustedText.Clean(price.GetRawText(), 40)}, not a positive whole number")),
            };
        }
        catch (JsonException)
        {
            return (null, NoJsonPrice);
        }
    }

    static string Text(JsonElement item, string name) =>
        Property(item, name) is { ValueKind: JsonValueKind.String } text ? UntrustedText.Clean(UntrustedText.StringOf(text), UntrustedText.MaxTitleLength) : "";

    /// <summary>A property of an object, its name matched in any case (as the web's JSON defaults read it).</summary>
    static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return null;
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals(name) || string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                return property.Value;
        }

        return null;
    }
}
