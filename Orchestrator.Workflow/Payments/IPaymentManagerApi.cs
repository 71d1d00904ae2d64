using System.Text.Json.Serialization;
using Refit;

namespace Orchestrator.Workflow.Payments;

/// <summary>Issues payment tokens bounded by a budget (wire contract, section 3).</summary>
public interface IPaymentManagerApi
{
    [Post("/token")]
    Task<IApiResponse<PaymentToken>> RequestToken([Body] TokenRequest request, CancellationToken cancellationToken);
}

public sealed record TokenRequest(
    [property: JsonPropertyName("budget")] long Budget,
    [property: JsonPropertyName("voice_id")] string VoiceId);

public sealed record PaymentToken([property: JsonPropertyName("token_id")] string TokenId);
