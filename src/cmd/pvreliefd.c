#include <stdio.h>
int main(void)
{
	puts("pvrelief " PVRELIEF_VERSION);
	return 0;
}
