using System.Net;
using System.Text.Json;

namespace Orchestrator.Worker.Marketplace;

/// <summary>Pays for an item and reads it back with the payment token.</summary>
public sealed class MarketplacePurchases(IMarketplaceApi marketplace)
{
    public async Task PayAsync(string tokenId, int itemId, long amount, string idempotencyKey, CancellationToken cancellationToken)
    {
        var what = $"Payment of {amount} for marketplace item {itemId}";
        var response = await ExternalCall.Run(ErrorTypes.PaymentError, what,
            () => marketplace.Pay(new PaymentRequest(tokenId, amount, itemId), idempotencyKey, cancellationToken),
            cancellationToken, hasEffect: true);

        if (!response.IsSuccessful)
            throw ExternalCall.Unexpected(ErrorTypes.PaymentError, what, response);
    }

    /// <summary>
    /// The item's data (a JSON object, as text, its strings cleaned: <see cref="UntrustedText"/>), or null when the
    /// marketplace still asks for payment. A redirect or a body over the cap is a <c>DataError</c>, never followed or stored.
    /// </summary>
    public async Task<string?> FetchAsync(string tokenId, int itemId, CancellationToken cancellationToken)
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

        return UntrustedText.CleanJson(response.Content);
    }
}
