using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Simulators.PaymentManager;

/// <summary>The Payment Manager of the wire contract (section 3), and a read-only ledger for tests.</summary>
public static class PaymentManagerEndpoints
{
    public static IEndpointRouteBuilder MapPaymentManager(this IEndpointRouteBuilder app)
    {
        app.MapPost("/token", IssueToken);
        app.MapGet("/ledger", (PaymentLedger ledger) => Results.Ok(new LedgerView([.. ledger.Charges.Select(ChargeView.From)])));
        return app;
    }

    static async Task<IResult> IssueToken(HttpRequest request, PaymentLedger ledger, SimulatorBehaviour behaviour)
    {
        TokenRequest? token;
        try
        {
            token = await request.ReadFromJsonAsync<TokenRequest>(request.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return Results.UnprocessableEntity(new Detail("The body must be {\"budget\": int, \"voice_id\": str}"));
        }

        if (token is not { Budget: > 0 } || string.IsNullOrWhiteSpace(token.VoiceId))
            return Results.UnprocessableEntity(new Detail("A positive budget and a voice_id are required"));
        if (behaviour.Refuses(token.VoiceId))
            return Results.Json(new Detail("Voice could not be authenticated"), statusCode: StatusCodes.Status403Forbidden);

        return Results.Ok(new TokenIssued(ledger.IssueToken(token.Budget)));
    }

    sealed record TokenRequest(
        [property: JsonPropertyName("budget")] long Budget,
        [property: JsonPropertyName("voice_id")] string? VoiceId);

    sealed record TokenIssued([property: JsonPropertyName("token_id")] string TokenId);

    sealed record LedgerView([property: JsonPropertyName("charges")] IReadOnlyList<ChargeView> Charges);

    sealed record ChargeView(
        [property: JsonPropertyName("charge_id")] string ChargeId,
        [property: JsonPropertyName("token_id")] string TokenId,
        [property: JsonPropertyName("amount")] long Amount,
        [property: JsonPropertyName("item_id")] int? ItemId,
        [property: JsonPropertyName("idempotency_key")] string? IdempotencyKey,
        [property: JsonPropertyName("at")] DateTimeOffset At)
    {
        public static ChargeView From(LedgerCharge charge) =>
            new(charge.ChargeId, charge.TokenId, charge.Amount, charge.ItemId, charge.IdempotencyKey, charge.At);
    }
}
