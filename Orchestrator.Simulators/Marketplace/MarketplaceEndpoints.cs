using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Simulators.Marketplace;

/// <summary>
/// The Marketplace of the wire contract (section 2): catalog, the 402 flow, idempotent payments; and the items of
/// <see cref="SimulatorBehaviour.X402Items"/> sold over x402 v2 instead (<see cref="X402Sale"/>).
/// </summary>
public static class MarketplaceEndpoints
{
    public static IEndpointRouteBuilder MapMarketplace(this IEndpointRouteBuilder app)
    {
        app.MapGet("/catalog", SearchCatalog);
        app.MapGet("/company/detail", GetCompanyDetail);
        app.MapPost("/pay", Pay);
        return app;
    }

    static IResult SearchCatalog(string? q, int? limit, Catalog catalog, SimulatorBehaviour behaviour) =>
        !behaviour.CatalogEnabled ? Results.NotFound(new Detail("Not Found"))
        : behaviour.Attacks(Hostility.TrickleCatalog) ? HostileMarketplace.Trickle(StatusCodes.Status200OK)
        : Results.Ok(new CatalogPage([.. HostileMarketplace.Search(catalog.Search(q, Math.Clamp(limit ?? 5, 1, 50)), behaviour)]));

    static async Task<IResult> GetCompanyDetail(
        string? id, HttpRequest request, Catalog catalog, PaymentLedger ledger, SimulatorBehaviour behaviour, X402Facilitator facilitator)
    {
        if (!int.TryParse(id, out var itemId))
            return Results.NotFound(new Detail("Item not found"));
        // An x402 item is sold over x402 only, and as the catalog has it (the hostile marketplace leaves it alone).
        if (behaviour.X402Items.Contains(itemId) && catalog.Find(itemId) is { } x402Item)
            return await X402Sale.ReadAsync(request, x402Item, catalog, ledger, behaviour, facilitator);
        if (Find(catalog, itemId, behaviour) is not { } item)
            return Results.NotFound(new Detail("Item not found"));

        var token = request.Headers["x-payment-token"].ToString();
        if (token.Length > 0 && ledger.HasBought(token, item.Id, item.Price))
        {
            return behaviour.Attacks(Hostility.RedirectPaidFetch) ? Results.Redirect(new Uri(behaviour.ElsewhereUrl!, $"company/detail?id={item.Id}").ToString())
                : behaviour.Attacks(Hostility.TrickleFetch) ? HostileMarketplace.Trickle(StatusCodes.Status200OK)
                : behaviour.Attacks(Hostility.HugePaidFetch) ? HostileMarketplace.Huge()
                : Results.Ok(item.Data());
        }

        return behaviour.Attacks(Hostility.PaidWithoutPayment) && item.Id % 2 == 0 ? Results.Ok(item.Data())
            : behaviour.Attacks(Hostility.TricklePrice) ? HostileMarketplace.Trickle(StatusCodes.Status402PaymentRequired)
            : HostileMarketplace.BadPrice(item, behaviour)
            ?? Results.Json(new PriceQuote(item.Price), statusCode: StatusCodes.Status402PaymentRequired);
    }

    static CatalogItem? Find(Catalog catalog, int itemId, SimulatorBehaviour behaviour) =>
        catalog.Find(itemId) is { } item ? HostileMarketplace.View(item, behaviour) : null;

    static async Task<IResult> Pay(HttpRequest request, Catalog catalog, PaymentLedger ledger, SimulatorBehaviour behaviour)
    {
        if (behaviour.PaymentsDown)
            return Results.Json(new Detail("Payments unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable);

        PaymentRequest? payment;
        try
        {
            payment = await request.ReadFromJsonAsync<PaymentRequest>(request.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return Unprocessable("The body must be {\"tokenId\": str, \"amount\": int}");
        }

        if (payment is not { TokenId.Length: > 0, Amount: > 0 })
            return Unprocessable("tokenId and a positive amount are required");
        if (payment.ItemId is { } itemId)
        {
            if (Find(catalog, itemId, behaviour) is not { } item)
                return Results.NotFound(new Detail("Item not found"));
            if (behaviour.X402Items.Contains(itemId))
                return Results.Conflict(new Detail("The item is sold over x402: pay with a PAYMENT-SIGNATURE"));
            if (item.Price != payment.Amount)
                return Results.Conflict(new Detail("Amount does not match the price"));
            if (behaviour.RefusedPayments.Contains(itemId))
                return Results.Conflict(new Detail("The item is not for sale"));
        }

        using var inFlight = behaviour.PaymentInFlight(payment.ItemId ?? 0);
        if (behaviour.PaymentLatency > TimeSpan.Zero)
            await Task.Delay(behaviour.PaymentLatency, request.HttpContext.RequestAborted);
        var key = request.Headers["Idempotency-Key"].ToString();
        var (outcome, charge, remaining) = ledger.Pay(payment.TokenId, payment.Amount, payment.ItemId, key.Length > 0 ? key : null);
        return outcome switch
        {
            PaymentOutcome.UnknownToken => Results.Json(new Detail("Unknown payment token"), statusCode: StatusCodes.Status402PaymentRequired),
            PaymentOutcome.OverBudget => Results.Json(new Detail("Payment exceeds the token's budget"), statusCode: StatusCodes.Status402PaymentRequired),
            _ when SimulatorBehaviour.Happens(behaviour.FailureRateAfterEffect) => SimulatedFailure(),
            _ when behaviour.Attacks(Hostility.TricklePayment) => HostileMarketplace.Trickle(StatusCodes.Status200OK),
            _ => Results.Ok(new PaymentReceipt(charge!.ChargeId, charge.TokenId, charge.Amount, remaining)),
        };
    }

    static IResult Unprocessable(string detail) => Results.UnprocessableEntity(new Detail(detail));

    static IResult SimulatedFailure() => Results.Json(new Detail("Simulated failure"), statusCode: StatusCodes.Status500InternalServerError);

    sealed record CatalogPage([property: JsonPropertyName("items")] IReadOnlyList<CatalogItem> Items);

    sealed record PriceQuote([property: JsonPropertyName("price")] long Price);

    sealed record PaymentRequest(
        [property: JsonPropertyName("tokenId")] string? TokenId,
        [property: JsonPropertyName("amount")] long Amount,
        [property: JsonPropertyName("itemId")] int? ItemId);

    sealed record PaymentReceipt(
        [property: JsonPropertyName("charge_id")] string ChargeId,
        [property: JsonPropertyName("token_id")] string TokenId,
        [property: JsonPropertyName("amount")] long Amount,
        [property: JsonPropertyName("remaining")] long Remaining);
}
