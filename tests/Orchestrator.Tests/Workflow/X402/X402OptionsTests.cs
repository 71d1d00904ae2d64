using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Tests.Workflow.X402;

/// <summary><c>X402:*</c>: the defaults, and a host that will not start on a bad setting (without showing the key).</summary>
public sealed class X402OptionsTests
{
    [Fact]
    public void The_defaults_are_USDC_on_Base_and_Base_Sepolia_one_USDC_a_budget_unit_and_no_wallet()
    {
        using var host = Host(new Dictionary<string, string?>());

        var options = host.Services.GetRequiredService<IOptions<X402Options>>().Value;

        Assert.Equal(["eip155:8453", "eip155:84532"], options.NetworkList);
        Assert.Equal(["0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "0x036CbD53842c5426634e7929541eC2318f3dCF7e"], options.AssetList);
        Assert.Equal(1_000_000, options.AtomicUnitsPerBudgetUnit);
        Assert.False(options.HasWallet);
        Assert.Null(host.Services.GetService<IX402Signer>());
    }

    [Fact]
    public void With_a_key_the_wallet_signs_as_its_address()
    {
        using var host = Host(new Dictionary<string, string?> { ["X402:PrivateKey"] = LocalKeySignerTests.TestKey });

        Assert.Equal(LocalKeySignerTests.TestAddress, host.Services.GetRequiredService<IX402Signer>().Address);
        Assert.DoesNotContain(LocalKeySignerTests.TestKey[2..], host.Services.GetRequiredService<IOptions<X402Options>>().Value.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("X402:Networks", "base-sepolia", "X402:Networks")]
    [InlineData("X402:Networks", " , ", "names no network")]
    [InlineData("X402:Assets", "USDC", "X402:Assets")]
    [InlineData("X402:AtomicUnitsPerBudgetUnit", "0", "AtomicUnitsPerBudgetUnit")]
    [InlineData("X402:PrivateKey", "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f3623", "X402:PrivateKey")]
    [InlineData("X402:PrivateKey", "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142", "X402:PrivateKey")]
    public async Task A_bad_setting_stops_the_host_at_start_naming_the_setting_not_the_key(string name, string value, string message)
    {
        using var host = Host(new Dictionary<string, string?> { [name] = value });

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        if (name == "X402:PrivateKey")
            Assert.DoesNotContain(value[^20..], refused.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddX402Payments();
        return builder.Build();
    }
}
