using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Orchestrator.Workflow.X402;

public static class X402Registration
{
    /// <summary>
    /// Paying x402 sellers: <c>X402:*</c> validated when the host starts (a bad key stops it, naming the setting, not
    /// the key), the quoter, the purchases, and the signer when <c>X402:PrivateKey</c> is set (without one,
    /// no <see cref="IX402Signer"/> is registered: x402 items cannot be paid).
    /// </summary>
    public static IHostApplicationBuilder AddX402Payments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<X402Options>()
            .BindConfiguration(X402Options.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new X402Quoter(services.GetRequiredService<IOptions<X402Options>>().Value));
        builder.Services.AddScoped<X402Purchases>();
        builder.Services.AddHostedService<X402WalletAnnouncement>();
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{X402Options.Section}:{nameof(X402Options.PrivateKey)}"]))
            builder.Services.AddSingleton<IX402Signer>(services => new LocalKeySigner(services.GetRequiredService<IOptions<X402Options>>().Value.PrivateKey!));

        return builder;
    }
}
