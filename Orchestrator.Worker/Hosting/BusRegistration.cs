using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Orchestrator.Worker.Hosting;

public static class BusRegistration
{
    public static bool UsesInMemoryBus(this IHostApplicationBuilder builder) =>
        (builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new()).Transport == BusTransport.InMemory;

    /// <summary>
    /// MassTransit on the configured transport (<c>Bus:Transport</c>), kebab-case endpoints, a task id on every
    /// log line of a consumer; <paramref name="configure"/> adds this host's consumers and sagas.
    /// </summary>
    public static IHostApplicationBuilder AddOrchestratorBus(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        builder.Services.AddOptions<BusOptions>().BindConfiguration(BusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var rabbitMq = builder.UsesInMemoryBus()
            ? null
            : builder.Configuration.GetSection(RabbitMqOptions.Section).Get<RabbitMqOptions>() ?? new();

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) =>
                endpoint.UseConsumeFilter(typeof(TaskLogScopeFilter<>), context));
            configure?.Invoke(bus);

            if (rabbitMq is null)
            {
                bus.UsingInMemory((context, transport) => transport.ConfigureEndpoints(context));
                return;
            }

            bus.UsingRabbitMq((context, transport) =>
            {
                transport.Host(rabbitMq.Host, rabbitMq.Port, rabbitMq.VirtualHost, host =>
                {
                    host.Username(rabbitMq.Username);
                    host.Password(rabbitMq.Password);
                });
                transport.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
