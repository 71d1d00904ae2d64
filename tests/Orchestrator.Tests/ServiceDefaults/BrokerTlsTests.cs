using MassTransit;
using MassTransit.RabbitMqTransport.Configuration;
using MassTransit.Transports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Orchestrator.ServiceDefaults;

namespace Orchestrator.Tests.ServiceDefaults;

/// <summary>
/// AMQP to the broker is plain unless <c>RabbitMq:UseSsl</c> turns TLS on, or the port is AMQPS's (5671), which
/// MassTransit always reaches over TLS (the bus is built, never started).
/// </summary>
public sealed class BrokerTlsTests
{
    [Theory]
    [InlineData(null, null, false, null)]
    [InlineData("false", null, false, null)]
    [InlineData("true", null, true, "broker.example")]
    [InlineData("true", "rabbitmq.internal", true, "rabbitmq.internal")]
    public async Task On_the_plain_port_the_bus_reaches_the_broker_over_TLS_only_when_told_to(string? useSsl, string? serverName, bool tls, string? checkedName)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:Transport"] = "RabbitMq",
            ["RabbitMq:Host"] = "broker.example",
            ["RabbitMq:Port"] = "5672",
            ["RabbitMq:UseSsl"] = useSsl,
            ["RabbitMq:SslServerName"] = serverName,
        });
        builder.AddOrchestratorBus();
        await using var services = builder.Services.BuildServiceProvider();

        var broker = SettingsOf(services);

        Assert.Equal((tls, "broker.example", 5672), (broker.Ssl, broker.Host, broker.Port));
        if (tls)
            Assert.Equal(checkedName, broker.SslServerName);
    }

    [Fact]
    public async Task On_the_AMQPS_port_the_bus_always_uses_TLS()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:Transport"] = "RabbitMq",
            ["RabbitMq:Host"] = "broker.example",
            ["RabbitMq:Port"] = "5671",
        });
        builder.AddOrchestratorBus();
        await using var services = builder.Services.BuildServiceProvider();

        Assert.True(SettingsOf(services).Ssl);
    }

    static RabbitMqHostSettings SettingsOf(IServiceProvider services) =>
        ((IRabbitMqHostConfiguration)services.GetRequiredService<IBusInstance>().HostConfiguration).Settings;
}
