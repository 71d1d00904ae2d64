using MassTransit;
using Microsoft.Extensions.Options;
using Orchestrator.Tests.Api;

namespace Orchestrator.Tests.ServiceDefaults;

/// <summary>MassTransit's usage report to its authors: off unless <c>Bus:UsageTelemetry</c> turns it on.</summary>
public sealed class UsageTelemetryTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void The_bus_reports_its_usage_only_when_an_operator_says_so(string? setting, bool reported)
    {
        using var api = new ApiFactory().WithWebHostBuilder(web =>
        {
            if (setting is not null)
                web.UseSetting("Bus:UsageTelemetry", setting);
        });

        Assert.Equal(reported, api.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
