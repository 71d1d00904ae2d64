using System.Security.Authentication;

namespace Orchestrator.ServiceDefaults;

public static class BusRegistration
{
    public static bool UsesInMemoryBus(this IHostApplicationBuilder builder) => builder.ReadBusOptions().Transport == BusTransport.InMemory;

    static BusOptions ReadBusOptions(this IHostApplicationBuilder builder) =>
        builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new();

    /// <summary>
    /// MassTransit on the configured transport (<c>Bus:Transport</c>), kebab-case endpoints, a task id on every
    /// log line of a consumer; <paramref name="configure"/> adds this host's consumers and sagas. The bus starts in
    /// the background (<see cref="BusSupervisor"/>) and readiness reads its endpoints now (<see cref="BusReadinessCheck"/>).
    /// MassTransit's usage telemetry is off unless <c>Bus:UsageTelemetry</c> turns it on; RabbitMQ is reached over TLS
    /// when <c>RabbitMq:UseSsl</c> says so.
    /// </summary>
    public static IHostApplicationBuilder AddOrchestratorBus(
        this IHostApplicationBuilder builder,
        Action<IBusRegistrationConfigurator>? configure = null)
    {
        builder.Services.AddOptions<BusOptions>().BindConfiguration(BusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var usageTelemetry = builder.ReadBusOptions().UsageTelemetry;
        var rabbitMq = builder.UsesInMemoryBus()
            ? null
            : builder.Configuration.GetSection(RabbitMqOptions.Section).Get<RabbitMqOptions>() ?? new();

        builder.Services.AddMassTransit(bus =>
        {
            if (!usageTelemetry)
                bus.DisableUsageTelemetry();
            bus.SetKebabCaseEndpointNameFormatter();
            bus.AddConfigureEndpointsCallback((context, _, endpoint) => endpoint.UseConsumeFilter(typeof(TaskLogScopeFilter<>), context));
            // MassTransit's check stays (for /health detail and metrics) but readiness is BusReadinessCheck's.
            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Tags.Clear();
                health.Tags.Add("masstransit");
            });
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
                    if (rabbitMq.UseSsl)
                        host.UseSsl(ssl =>
                        {
                            ssl.ServerName = rabbitMq.SslServerName ?? rabbitMq.Host;
                            ssl.Protocol = SslProtocols.Tls12 | SslProtocols.Tls13;
                        });
                });
                transport.ConfigureEndpoints(context);
            });
        });

        // In place of MassTransit's hosted service, at its position among the hosted services.
        var services = builder.Services;
        var index = services.ToList().FindIndex(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(MassTransitHostedService));
        if (index >= 0)
            services.RemoveAt(index);
        services.AddSingleton<BusSupervisor>();
        services.Insert(index >= 0 ? index : services.Count, ServiceDescriptor.Singleton<IHostedService>(s => s.GetRequiredService<BusSupervisor>()));
        services.AddHealthChecks().AddCheck<BusReadinessCheck>("bus", tags: [ServiceDefaultsRegistration.ReadyTag]);
        return builder;
    }
}
