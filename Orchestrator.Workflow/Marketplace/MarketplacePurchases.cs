using System.Net;
using System.Text.Json;

namespace Orchestrator.Workflow.Marketplace;

/// <summary>Pays for an item and fetches its data with the payment token.</summary>
public sealed class MarketplacePurchases(IMarketplaceApi marketplace)
{
    /// <summary>Pays; returns the seller's reference for the payment (its <c>charge_id</c>, cleaned and cut), if it gave one.</summary>
    public async Task<string?> PayAsync(string tokenId, int itemId, long amount, string idempotencyKey, CancellationToken cancellationToken)
    {
        var what = $"Payment of {amount} for marketplace item {itemId}";
        var response = await ExternalCall.Run(ErrorTypes.PaymentError, what,
            () => marketplace.Pay(new PaymentRequest(tokenId, amount, itemId), idempotencyKey, cancellationToken),
            cancellationToken, hasEffect: true);

        if (!response.IsSuccessStatusCode)
            throw ExternalCall.Unexpected(ErrorTypes.PaymentError, what, response);

        return response.Error is null
            && response.Content.ValueKind == JsonValueKind.Object
            && response.Content.TryGetProperty("charge_id", out var charge)
            && charge.ValueKind == JsonValueKind.String
            && UntrustedText.Clean(charge.GetString()!, ResearchTaskPurchase.MaxReferenceLength) is { Length: > 0 } reference
                ? reference
                : null;
    }

    /// <summary>
    /// The item's data (a JSON object, as text, its strings cleaned: <see cref="UntrustedText"/>) and the SHA-256 of the
    /// object as delivered, or null when the marketplace still asks for payment. A redirect or a body over the cap is a
    /// <c>DataError</c>, never followed or stored.
    /// </summary>
    public async Task<(string Data, string Sha256)?> FetchAsync(string tokenId, int itemId, CancellationToken cancellationToken)
    {
        var what = $"Data of marketplace item {itemId}";
        var response = await ExternalCall.Run(ErrorTypes.DataError, what,
            () => marketplace.GetCompanyDetail(itemId, tokenId, cancellationToken), cancellationToken);

        if (response.Is(HttpStatusCode.PaymentRequired))
            return null;
        if (!response.IsSuccessful)
            throw ExternalCall.Unexpected(ErrorTypes.DataError, what, response);
        if (response.Content.ValueKind != JsonValueKind.Object)
            throw new ResearchStepException(ErrorTypes.DataError, $"{what}: the marketplace sent no JSON object");

        return (UntrustedText.CleanJson(response.Content), ResearchTaskState.Sha256(response.Content.GetRawText()));
    }
}
