using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace Orchestrator.Workflow.Marketplace;

/// <summary>The paid data marketplace (wire contract, section 2).</summary>
public interface IMarketplaceApi
{
    /// <summary>Read as plain JSON: one malformed item must not cost the others (see <see cref="Discovery.SourceDiscovery"/>).</summary>
    [Get("/catalog")]
    Task<IApiResponse<JsonElement>> SearchCatalog(string q, int limit, CancellationToken cancellationToken);

    /// <summary>402 with a price without a funded token; 200 with the data once paid.</summary>
    [Get("/company/detail")]
    Task<IApiResponse<JsonElement>> GetCompanyDetail(
        int id,
        [Header("x-payment-token")] string? paymentToken,
        CancellationToken cancellationToken);

    /// <summary>
    /// An x402 item fetched with its payment (<c>PAYMENT-SIGNATURE</c>, or v1's <c>X-PAYMENT</c>): 200 with the data and
    /// <c>PAYMENT-RESPONSE</c> once settled, 402 with the seller's reason when not.
    /// </summary>
    [Get("/company/detail")]
    Task<IApiResponse<JsonElement>> GetCompanyDetailPaying(
        int id,
        [HeaderCollection] IDictionary<string, string> payment,
        CancellationToken cancellationToken);

    /// <summary>200 with the seller's receipt (its <c>charge_id</c>), read as plain JSON: a receipt it cannot read does not undo a payment.</summary>
    [Post("/pay")]
    Task<IApiResponse<JsonElement>> Pay(
        [Body] PaymentRequest payment,
        [Header("Idempotency-Key")] string idempotencyKey,
        CancellationToken cancellationToken);
}

public sealed record PaymentRequest(
    [property: JsonPropertyName("tokenId")] string TokenId,
    [property: JsonPropertyName("amount")] long Amount,
    [property: JsonPropertyName("itemId")] int ItemId);
