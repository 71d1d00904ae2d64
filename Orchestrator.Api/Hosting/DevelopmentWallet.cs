using System.Text;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// The embedded mode's x402 wallet: without <c>X402:PrivateKey</c>, a key made on first start and kept in the data
/// folder (<see cref="DevelopmentSecrets"/>), so that <c>dotnet run</c> can pay the simulators' x402 items. Never
/// used when a key is configured; a development key, for simulators and test networks only.
/// </summary>
static class DevelopmentWallet
{
    const string KeyFile = "x402-wallet.key";

    public static void UseDevelopmentWallet(this IHostApplicationBuilder builder)
    {
        const string Key = $"{X402Options.Section}:{nameof(X402Options.PrivateKey)}";
        if (builder.Configuration[Key] is { Length: > 0 })
            return;

        // A key file that is not a valid key stops the host on start, naming the setting (X402Options).
        builder.Configuration[Key] = Encoding.ASCII.GetString(
            DevelopmentSecrets.ReadOrCreate(builder.Environment, KeyFile, () => Encoding.ASCII.GetBytes(LocalKeySigner.CreateKey()))).Trim();
    }
}
