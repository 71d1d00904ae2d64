using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Extensions;

namespace Orchestrator.Simulators.Marketplace;

/// <summary>
/// <c>GET /company/detail</c> of an item sold over x402 v2 (<see cref="SimulatorBehaviour.X402Items"/>), as
/// @x402/express with the <c>payment-identifier</c> extension sells it (tests/x402-seller): unpaid, 402 and
/// <c>PAYMENT-REQUIRED</c>; paid (<c>PAYMENT-SIGNATURE</c>), verified by <see cref="X402Facilitator"/>, settled in
/// the <see cref="PaymentLedger"/>, then 200, the data and <c>PAYMENT-RESPONSE</c>. A payload whose payment
/// identifier was settled before gets that answer again (the same payload) or 409 (another), settling nothing.
/// </summary>
public static class X402Sale
{
    public const string PaymentRequiredHeader = "PAYMENT-REQUIRED";
    public const string PaymentSignatureHeader = "PAYMENT-SIGNATURE";
    public const string PaymentResponseHeader = "PAYMENT-RESPONSE";

    public const string Description = "Company data from the marketplace simulator";

    public static async Task<IResult> ReadAsync(
        HttpRequest request, CatalogItem item, Catalog catalog, PaymentLedger ledger, SimulatorBehaviour behaviour, X402Facilitator facilitator)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(behaviour);
        ArgumentNullException.ThrowIfNull(facilitator);

        var requirements = X402Requirements.For(item, behaviour.X402PayTo);
        var header = request.Headers[PaymentSignatureHeader].ToString();
        if (header.Length == 0)
            return PaymentRequired(request, requirements, "PAYMENT-SIGNATURE header is required");
        if (behaviour.PaymentsDown)
            return Results.Json(new Detail("Payments unavailable"), statusCode: StatusCodes.Status503ServiceUnavailable);

        using var payment = X402PaymentPayload.TryRead(header);
        if (payment is null)
            return PaymentRequired(request, requirements, X402Facilitator.InvalidPayload);
        if (Earlier(ledger.FindX402(payment.PaymentIdentifier, payment.Hash), catalog) is { } earlier)
            return earlier;

        var (authorization, error) = facilitator.Verify(payment, requirements);
        if (authorization is null)
            return PaymentRequired(request, requirements, error!);

        using var inFlight = behaviour.PaymentInFlight(item.Id);
        if (behaviour.PaymentLatency > TimeSpan.Zero)
            await Task.Delay(behaviour.PaymentLatency, request.HttpContext.RequestAborted);
        var settled = ledger.SettleX402(new X402Transfer(X402Requirements.Asset, authorization.From, authorization.Nonce, item.Price, item.Id,
            payment.PaymentIdentifier, payment.Hash));
        return settled switch
        {
            (X402Outcome.NonceUsed, _) => PaymentRequired(request, requirements, X402Facilitator.NonceAlreadyUsed),
            (X402Outcome.Settled, _) when SimulatorBehaviour.Happens(behaviour.FailureRateAfterEffect) =>
                Results.Json(new Detail("Simulated failure"), statusCode: StatusCodes.Status500InternalServerError),
            (X402Outcome.Settled, { } charge) => Paid(charge, item),
            _ => Earlier(settled, catalog)!,
        };
    }

    /// <summary>The answer to a payload whose payment identifier was settled before; null when it was not.</summary>
    static IResult? Earlier((X402Outcome Outcome, LedgerCharge? Charge) found, Catalog catalog) => found switch
    {
        (X402Outcome.Replayed, { ItemId: { } itemId } charge) when catalog.Find(itemId) is { } item => Paid(charge, item),
        (X402Outcome.IdentifierConflict, _) => Results.Conflict(new Detail("payment-identifier already used with another payment")),
        _ => null,
    };

    static WithHeader Paid(LedgerCharge charge, CatalogItem item) =>
        new WithHeader(Results.Ok(item.Data()), PaymentResponseHeader, PaymentResponse(charge));

    /// <summary>The <c>SettleResponse</c> of a settled charge, base64 JSON: the same for the same charge, every time.</summary>
    public static string PaymentResponse(LedgerCharge charge)
    {
        ArgumentNullException.ThrowIfNull(charge);
        var settle = new JsonObject
        {
            ["success"] = true,
            ["transaction"] = charge.ChargeId,
            ["network"] = X402Requirements.Network,
            ["payer"] = charge.TokenId[PaymentLedger.X402TokenPrefix.Length..],
            ["amount"] = X402Requirements.Atomic(charge.Amount),
        };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(settle.ToJsonString()));
    }

    /// <summary>402, an empty JSON body and <c>PAYMENT-REQUIRED</c>: what to pay and, when a payment was refused, why.</summary>
    static WithHeader PaymentRequired(HttpRequest request, X402Requirements requirements, string error)
    {
        var required = new JsonObject
        {
            ["x402Version"] = 2,
            ["error"] = error,
            ["resource"] = new JsonObject
            {
                ["url"] = request.GetEncodedUrl(),
                ["description"] = Description,
                ["mimeType"] = "application/json",
            },
            ["accepts"] = new JsonArray(requirements.ToJson()),
            ["extensions"] = new JsonObject
            {
                [X402PaymentPayload.PaymentIdentifierExtension] = new JsonObject { ["info"] = new JsonObject { ["required"] = false } },
            },
        };
        return new WithHeader(Results.Json(new JsonObject(), statusCode: StatusCodes.Status402PaymentRequired),
            PaymentRequiredHeader, Convert.ToBase64String(Encoding.UTF8.GetBytes(required.ToJsonString())));
    }

    sealed class WithHeader(IResult result, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return result.ExecuteAsync(httpContext);
        }
    }
}
