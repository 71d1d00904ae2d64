using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using OpenAI;
using OpenAI.Chat;
using Orchestrator.Sagas.Persistence.SagaRepository;
using Orchestrator.ServiceDefaults;
using Orchestrator.Workflow.Admission;
using Orchestrator.Workflow.Analysis;
using Orchestrator.Workflow.Consumers;
using Orchestrator.Workflow.Discovery;
using Orchestrator.Workflow.Http;
using Orchestrator.Workflow.Marketplace;
using Orchestrator.Workflow.Payments;
using Orchestrator.Workflow.Progress;
using Orchestrator.Workflow.Recovery;
using Orchestrator.Workflow.Reports;
using Orchestrator.Workflow.X402;
using Refit;

namespace Orchestrator.Workflow.Hosting;

public static class ResearchWorkflowRegistration
{
    /// <summary>
    /// The research workflow: the task saga (state in the database), the consumers that call the Marketplace and
    /// the Payment Manager, and their HTTP clients, on the configured bus.
    /// </summary>
    public static IHostApplicationBuilder AddResearchWorkflow(this IHostApplicationBuilder builder)
    {
        var inMemoryBus = builder.UsesInMemoryBus();
        builder.Services.AddOptions<RecoveryOptions>()
            .Configure(options => options.ResumeAllOnStart = inMemoryBus)
            .BindConfiguration(RecoveryOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<DeferralOptions>().BindConfiguration(DeferralOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddSpendingControls();
        builder.Services.AddHostedService<UnfinishedTaskSweep>();
        builder.Services.AddHostedService<WatchedTasksListener>();

        return builder
            .AddTaskAdmission()
            .AddResearchClients()
            .AddOrchestratorBus(bus =>
            {
                bus.AddConfigureEndpointsCallback((_, name, endpoint) => DatabaseOutageRetry.Configure(name, endpoint));
                bus.AddResearchConsumers();
                bus.AddResearchTaskSaga().EfCoreRepository<ResearchTaskState, OrchestratorDbContext>();
            });
    }

    public static void AddResearchConsumers(this IBusRegistrationConfigurator bus) =>
        bus.AddConsumersFromNamespaceContaining<DiscoverSourcesConsumer>();

    /// <summary>Approval above a threshold, a daily limit per owner, and reuse of what an owner bought: the settings.</summary>
    public static IHostApplicationBuilder AddSpendingControls(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApprovalOptions>().BindConfiguration(ApprovalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SpendingOptions>().BindConfiguration(SpendingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PurchaseReuseOptions>().BindConfiguration(PurchaseReuseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }

    public static ISagaRegistrationConfigurator<ResearchTaskState> AddResearchTaskSaga(this IBusRegistrationConfigurator bus)
    {
        bus.TryAddSingleton<WatchedTasks>();
        bus.TryAddScoped<IOwnerSpendingDays, OwnerSpendingDays>();
        return bus.AddSagaStateMachine<ResearchTaskStateMachine, ResearchTaskState, ResearchTaskStateDefinition>();
    }

    /// <summary>The services the consumers call: the Marketplace and Payment Manager clients, the report writer.</summary>
    public static IHostApplicationBuilder AddResearchClients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkflowOptions>()
            .Configure<IConfiguration>((options, configuration) => configuration.Bind(options))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddOptions<MarketplaceOptions>()
            .BindConfiguration(MarketplaceOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddTransient<BoundedResponseHandler>();

        builder.AddResearchAnalyst();
        builder.Services.AddSingleton<ResearchReportWriter>();
        builder.Services.AddScoped<SourceDiscovery>();
        builder.Services.AddScoped<OwnedPurchases>();
        builder.Services.AddScoped<MarketplacePurchases>();
        builder.Services.AddScoped<PaymentTokens>();
        builder.Services.AddScoped<PaymentPermit>();
        builder.Services.AddScoped<PaymentClaims>();
        builder.Services.AddScoped<ItemPayments>();
        builder.Services.AddScoped<PaidItemFetches>();
        builder.AddX402Payments();

        builder.Services.AddRefitGeneratedClient<IMarketplaceApi>(ExternalApiJsonContext.Default)
            .ConfigureHttpClient((services, http) => http.BaseAddress = Options(services).MarketplaceUrl)
            .Untrusting();
        builder.Services.AddRefitGeneratedClient<IPaymentManagerApi>(ExternalApiJsonContext.Default)
            .ConfigureHttpClient((services, http) => http.BaseAddress = Options(services).PaymentManagerUrl)
            .Untrusting();
        return builder;
    }

    /// <summary>
    /// A client for a service whose answers are untrusted: no redirect is followed (a payment token goes to no
    /// other address), and each attempt, under the resilience pipeline's timeout, reads the whole answer, capped
    /// (<see cref="BoundedResponseHandler"/>, added last so that it runs inside every attempt). The client factory's
    /// own log handlers are left out: they log at Information and below, which the hosts filter out for
    /// <c>System.Net.Http.HttpClient</c>, yet they opened a log scope per call and per attempt (a failure is logged
    /// by the step that met it).
    /// </summary>
    static void Untrusting(this IHttpClientBuilder client)
    {
        client.RemoveAllLoggers();
        client.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        client.AddStandardResilienceHandler().Configure(ConfigureResilience);
        client.AddHttpMessageHandler<BoundedResponseHandler>();
    }

    /// <summary>
    /// The analyst that ranks sources and writes summaries; with a chat model when <c>Llm:Endpoint</c> is set
    /// (any OpenAI-compatible API), else built in.
    /// </summary>
    static void AddResearchAnalyst(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LlmOptions>()
            .BindConfiguration(LlmOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ResearchAnalyst>();
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{LlmOptions.Section}:Endpoint"]))
            return;

        builder.Services.AddChatClient(services =>
        {
            var llm = services.GetRequiredService<IOptions<LlmOptions>>().Value;
            // The model's answers are untrusted too: no redirect followed, the body capped and read within the timeout.
            var handler = new BoundedResponseHandler(services.GetRequiredService<IOptions<MarketplaceOptions>>())
            {
                InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false },
            };
            var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            var client = new OpenAIClientOptions
            {
                Endpoint = llm.Endpoint,
                NetworkTimeout = llm.Timeout,
                RetryPolicy = new ClientRetryPolicy(maxRetries: 1),
                Transport = new HttpClientPipelineTransport(http),
            };
            return new ChatClient(llm.Model, new ApiKeyCredential(llm.ApiKey), client).AsIChatClient();
        });
    }

    static WorkflowOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<WorkflowOptions>>().Value;

    /// <summary>
    /// MAX_RETRIES retries of transient failures (5xx, 408, 429, timeouts, refused connections) with exponential
    /// backoff from RETRY_DELAY (0: none; Polly refuses zero attempts, so the strategy then handles nothing);
    /// HTTP_TIMEOUT per attempt, body included; 4xx are not retried. A circuit breaker per service opens
    /// when half the calls of the sampling window fail (at least 20 of them): a service that is down is not
    /// hammered, one that merely fails now and then is retried.
    /// </summary>
    static void ConfigureResilience(HttpStandardResilienceOptions resilience, IServiceProvider services)
    {
        var options = Options(services);
        var attempt = TimeSpan.FromSeconds(options.HttpTimeout);
        var delay = TimeSpan.FromSeconds(options.RetryDelay);

        resilience.Retry.MaxRetryAttempts = Math.Max(options.MaxRetries, 1);
        if (options.MaxRetries <= 0)
            resilience.Retry.ShouldHandle = _ => Polly.PredicateResult.False();
        resilience.Retry.Delay = delay;
        resilience.Retry.BackoffType = Polly.DelayBackoffType.Exponential;
        resilience.AttemptTimeout.Timeout = attempt;
        resilience.TotalRequestTimeout.Timeout = options.LongestCall;
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 2 * options.HttpTimeout));
        resilience.CircuitBreaker.FailureRatio = 0.5;
        resilience.CircuitBreaker.MinimumThroughput = 20;
    }
}
