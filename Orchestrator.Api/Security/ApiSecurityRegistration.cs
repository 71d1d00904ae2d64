using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.IdentityModel.Tokens;
using Orchestrator.Workflow.Admission;

namespace Orchestrator.Api.Security;

/// <summary>
/// Who may call the Api and how often: JWT bearer tokens under <c>Auth:Mode=Jwt</c> (every route but health
/// needs one), the refusal to serve anonymous callers beyond loopback unless asked to (at start, and on every
/// request: <see cref="LoopbackOnlyRequests"/>), forwarded headers from known proxies only, and the rate limit
/// on new tasks.
/// </summary>
public static class ApiSecurityRegistration
{
    public const string SubmitPolicy = "submit";
    public const string MetricsPolicy = "metrics";

    /// <summary>The role, beside <c>admin</c>, of a token that may read <c>/metrics</c> under <c>Auth:Mode=Jwt</c> (a scraper's).</summary>
    public const string MetricsRole = "metrics";

    const string NoSubject = "Invalid bearer token: it names no subject (sub)";

    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new();

        // Only the configured proxies are believed; ASP.NET Core would otherwise trust any loopback sender.
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in proxy.Value.Addresses)
                forwarded.KnownProxies.Add(address);
        });
        builder.Services.AddTransient<IStartupFilter, ClientCheckStartupFilter>();

        if (auth.Mode == AuthMode.Jwt)
        {
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
            builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Configure<IOptions<AuthOptions>>((jwt, options) => ConfigureJwt(jwt, options.Value));
            builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, BusOwnerTokens.RefuseBusOwners);
            builder.Services.AddAuthorizationBuilder()
                .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
                .AddPolicy(MetricsPolicy, policy => policy.RequireRole(Caller.AdminRole, MetricsRole));
        }
        else
        {
            builder.Services.AddAuthorization();
            builder.Services.AddHostedService<AnonymousAccessGuard>();
        }

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                return new ValueTask(DetailResults.TryLater(context.HttpContext, retryAfter, "Too many new tasks; try again later").ExecuteAsync(context.HttpContext));
            };
            limiter.AddPolicy(SubmitPolicy, context =>
            {
                var services = context.RequestServices;
                var limits = services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var options = services.GetRequiredService<IOptions<AuthOptions>>().Value;
                if (!limits.IsEnabled(options.OpenToOthers))
                    return RateLimitPartition.GetNoLimiter("off");

                var partition = options.Mode == AuthMode.Jwt
                    ? "owner:" + Caller.From(context).OwnerId
                    : "address:" + (context.Connection.RemoteIpAddress ?? IPAddress.None);
                return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.TasksPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
        return builder;
    }

    /// <summary>
    /// Who may read <c>/metrics</c>: under <c>Auth:Mode=Jwt</c> the Api's port is public, and the counts tell one
    /// owner about everyone's traffic, so only a token with role <c>admin</c> or <c>metrics</c>; anyone otherwise
    /// (the anonymous mode serves loopback only).
    /// </summary>
    public static Action<IEndpointConventionBuilder>? MetricsAccess(WebApplication app) =>
        app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Jwt
            ? endpoint => endpoint.RequireAuthorization(MetricsPolicy)
            : null;

    /// <summary>Identity, then the rate limiter (which partitions by the identified owner), then authorization.</summary>
    public static WebApplication UseApiSecurity(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Jwt)
            app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }

    static void ConfigureJwt(JwtBearerOptions jwt, AuthOptions auth)
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters.NameClaimType = AuthOptions.SubjectClaim;
        jwt.TokenValidationParameters.RoleClaimType = AuthOptions.RoleClaim;
        jwt.TokenValidationParameters.ValidAudience = auth.Audience;
        if (auth.Authority is { } authority)
        {
            jwt.Authority = authority.ToString();
            jwt.RequireHttpsMetadata = authority.Scheme == Uri.UriSchemeHttps || !authority.IsLoopback;
            if (auth.Issuer is { } issuer)
                jwt.TokenValidationParameters.ValidIssuer = issuer;
        }
        else
        {
            jwt.TokenValidationParameters.ValidIssuer = auth.EffectiveIssuer;
            jwt.TokenValidationParameters.IssuerSigningKey = DevelopmentTokens.SigningKey(auth);
            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        }

        // A missing or bad token is answered in the contract's shape, never with an empty body. A token without a
        // subject is refused: its tasks would belong to an owner that every other such token shares.
        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (string.IsNullOrWhiteSpace(context.Principal?.FindFirst(AuthOptions.SubjectClaim)?.Value))
                    context.Fail(NoSubject);
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                var detail = context.AuthenticateFailure switch
                {
                    null => "Not authenticated: a bearer token is required",
                    { Message: NoSubject } => NoSubject,
                    _ => "Invalid or expired bearer token",
                };
                await context.Response.WriteAsJsonAsync(new DetailResponse(detail), context.HttpContext.RequestAborted);
            },
        };
    }
}
