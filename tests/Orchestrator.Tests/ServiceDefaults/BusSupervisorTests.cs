using System.Reflection;
using MassTransit;
using Orchestrator.ServiceDefaults;

namespace Orchestrator.Tests.ServiceDefaults;

/// <summary>
/// When the bus supervisor restarts a bus whose endpoint has not consumed for a minute: only for an endpoint stuck
/// (stopped, or not ready while another endpoint consumes, so the broker answers), never for endpoints faulted by a
/// broker that is down, which reconnect by themselves; and after 10 s for an endpoint MassTransit gave up (stopped
/// while another consumes).
/// </summary>
public sealed class BusSupervisorTests
{
    [Fact]
    public void An_endpoint_not_ready_while_another_consumes_is_stuck() =>
        Assert.True(BusSupervisor.Stuck(Bus(("research-task-state", NotReady()), ("discover-sources", Ready()))));

    [Fact]
    public void A_stopped_endpoint_is_stuck() =>
        Assert.True(BusSupervisor.Stuck(Bus(("research-task-state", Unhealthy("stopped")))));

    [Fact]
    public void Endpoints_not_ready_with_none_consuming_wait_for_their_broker() =>
        Assert.False(BusSupervisor.Stuck(Bus(("research-task-state", NotReady()), ("discover-sources", NotReady()))));

    [Fact]
    public void Faulted_endpoints_reconnect_by_themselves() =>
        Assert.False(BusSupervisor.Stuck(Bus(("research-task-state", Unhealthy("faulted (broker down)")), ("discover-sources", Ready()))));

    [Fact]
    public void A_stopped_endpoint_while_another_consumes_was_given_up() =>
        Assert.True(BusSupervisor.GivenUp(Bus(("research-task-state", Unhealthy("stopped (delivered 0 messages)")), ("discover-sources", Ready()))));

    [Fact]
    public void A_stopped_endpoint_with_none_consuming_may_wait_for_its_broker() =>
        Assert.False(BusSupervisor.GivenUp(Bus(("research-task-state", Unhealthy("stopped")), ("discover-sources", Unhealthy("faulted (broker down)")))));

    [Fact]
    public void An_endpoint_not_ready_was_not_given_up() =>
        Assert.False(BusSupervisor.GivenUp(Bus(("research-task-state", NotReady()), ("discover-sources", Ready()))));

    static EndpointHealthResult Ready() => EndpointHealthResult.Healthy(Endpoint.Any(), "ready");

    static EndpointHealthResult NotReady() => Unhealthy("not ready");

    static EndpointHealthResult Unhealthy(string description) => EndpointHealthResult.Unhealthy(Endpoint.Any(), description, null);

    static BusHealthResult Bus(params (string Name, EndpointHealthResult Health)[] endpoints) =>
        BusHealthResult.Unhealthy("not all endpoints ready", new InvalidOperationException("not ready"),
            endpoints.ToDictionary(e => $"rabbitmq://broker/{e.Name}", e => e.Health));

    /// <summary>A receive endpoint that has an address and nothing else: all a health result reads of it.</summary>
    public class Endpoint : DispatchProxy
    {
        public static IReceiveEndpoint Any() => Create<IReceiveEndpoint, Endpoint>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_InputAddress" ? new Uri("rabbitmq://broker/endpoint") : throw new NotSupportedException(targetMethod?.Name);
    }
}
