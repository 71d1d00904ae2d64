using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace Orchestrator.Worker.Marketplace;

/// <summary>The paid data marketplace (wire contract, section 2).</summary>
public interface IMarketplaceApi
{
    [Get("/catalog")]
    Task<IApiResponse<CatalogPage>> SearchCatalog(string q, int limit, CancellationToken cancellationToken);

    /// <summary>402 with a price without a funded token; 200 with the data once paid.</summary>
    [Get("/company/detail")]
    Task<IApiResponse<JsonElement>> GetCompanyDetail(
        int id,
        [Header("x-payment-token")] string? paymentToken,
        CancellationToken cancellationToken);

    [Post("/pay")]
    Task<IApiResponse> Pay(
        [Body] PaymentRequest payment,
        [Header("Idempotency-Key")] string idempotencyKey,
        CancellationToken cancellationToken);
}

public sealed record CatalogPage(IReadOnlyList<CatalogItem> Items);

public sealed record CatalogItem(int Id, string Title, string Company, long? Price, IReadOnlyList<string>? Tags);

public sealed record PriceQuote(long Price);

public sealed record PaymentRequest(
    [property: JsonPropertyName("tokenId")] string TokenId,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("itemId")] int ItemId);
