using System.Net;
using Orchestrator.Contracts;

namespace Orchestrator.Worker.Payments;

/// <summary>Obtains the task's single payment token, bounded by its budget.</summary>
public sealed class PaymentTokens(IPaymentManagerApi paymentManager)
{
    const string What = "Payment token request";

    public async Task<string> RequestAsync(int budget, string voiceId, CancellationToken cancellationToken)
    {
        var response = await ExternalCall.Run(ErrorTypes.PaymentError, What,
            () => paymentManager.RequestToken(new TokenRequest(budget, voiceId), cancellationToken), cancellationToken);

        if (response.Is(HttpStatusCode.Unauthorized) || response.Is(HttpStatusCode.Forbidden))
            throw new ResearchStepException(ErrorTypes.AuthenticationError, "Voice authentication failed");
        if (!response.IsSuccessful || string.IsNullOrEmpty(response.Content?.TokenId))
            throw ExternalCall.Unexpected(ErrorTypes.PaymentError, What, response);

        return response.Content.TokenId;
    }
}
