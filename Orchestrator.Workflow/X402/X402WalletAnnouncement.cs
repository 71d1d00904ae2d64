namespace Orchestrator.Workflow.X402;

/// <summary>Says at start which account pays x402 sellers (its address, never its key), or that none does.</summary>
sealed partial class X402WalletAnnouncement(IOptions<X402Options> options, ILogger<X402WalletAnnouncement> logger, IX402Signer? signer = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (signer is null)
            LogNoWallet(logger);
        else
            LogWallet(logger, signer.Address, options.Value.Networks);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "x402 payments are signed by {Address} on {Networks}")]
    static partial void LogWallet(ILogger logger, string address, string networks);

    [LoggerMessage(LogLevel.Information, "x402 wallet not configured (X402:PrivateKey): x402 items are skipped")]
    static partial void LogNoWallet(ILogger logger);
}
